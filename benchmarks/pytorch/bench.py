#!/usr/bin/python3
"""PyTorch side of benchmarks/side-by-side.sh: the same network as Emotion.Benchmarks' PlainTorchSharpModel (torchvision
ResNet-18 without its classifier, GRU-128 batch-first, Linear 128->7 and Linear 128->2 + tanh) on the same shapes
(B x T x 3 x S x S frames, uniform in [-1, 1]), timed the way BenchmarkDotNet's short job times the C# cases: 2 warm-up
and 5 measured iterations, one iteration = STEPS training steps (forward, cross-entropy + MSE, backward, Adam) or one
inference call without gradients; frames/s = frames per iteration / mean iteration time.

Debian's python3-torch 1.13 and python3-torchvision 0.14 (no internet needed).
usage: bench.py [--threads 2] [--batch 4] [--frames 8] [--size 112] [--steps 4] [--warmup 2] [--iterations 5]
prints one tab-separated line per case: case, frames/s, mean ms per iteration, iterations
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision


class Net(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        cnn = torchvision.models.resnet18()
        cnn.fc = nn.Identity()
        self.cnn = cnn
        self.gru = nn.GRU(512, hidden, batch_first=True)
        self.classifier = nn.Linear(hidden, 7)
        self.regressor = nn.Linear(hidden, 2)

    def forward(self, frames):
        b, t = frames.shape[0], frames.shape[1]
        x = self.cnn(frames.view(b * t, 3, frames.shape[3], frames.shape[4])).view(b, t, 512)
        x, _ = self.gru(x)
        return self.classifier(x), torch.tanh(self.regressor(x))


def timed(fn, warmup, iterations):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.mean(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--size", type=int, default=112)
    p.add_argument("--steps", type=int, default=4)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--iterations", type=int, default=5)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = Net()
    x = torch.rand(a.batch, a.frames, 3, a.size, a.size) * 2 - 1
    categories = torch.randint(0, 7, (a.batch * a.frames,))
    va = torch.rand(a.batch * a.frames, 2) * 2 - 1
    optimizer = torch.optim.Adam(net.parameters(), 1e-3)
    frames = a.batch * a.frames

    def train():
        for _ in range(a.steps):
            optimizer.zero_grad()
            logits, v = net(x)
            loss = F.cross_entropy(logits.reshape(-1, 7), categories) + F.mse_loss(v.reshape(-1, 2), va)
            loss.backward()
            optimizer.step()

    def infer():
        with torch.no_grad():
            logits, v = net(x)
            return logits.softmax(-1)[0, 0, 0].item() + v[0, 0, 0].item()

    net.train()
    t = timed(train, a.warmup, a.iterations)
    print(f"pytorch-train\t{frames * a.steps / t:.1f}\t{t * 1000:.1f}\t{a.iterations}", flush=True)
    net.eval()
    t = timed(infer, a.warmup, a.iterations)
    print(f"pytorch-infer\t{frames / t:.1f}\t{t * 1000:.1f}\t{a.iterations}", flush=True)
    print(f"# torch {torch.__version__}, torchvision {torchvision.__version__}, {torch.get_num_threads()} threads, "
          f"mkldnn {torch.backends.mkldnn.is_available()}", flush=True)


if __name__ == "__main__":
    main()
