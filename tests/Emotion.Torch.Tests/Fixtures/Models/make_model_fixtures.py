#!/usr/bin/python3
"""Generates the fixtures of the model tests with PyTorch (Debian's python3-torch 1.13). Run from this folder:

    /usr/bin/python3 make_model_fixtures.py

Writes
  small_cnn_w05.pt            state dict (torch.save) of the library's small CNN at width 0.5 (8-16-32-64 channels),
                              with non-trivial batch-norm statistics; loaded in C# through TorchSharp.PyBridge.
  small_cnn_w05_io.json       a fixed input [2, 3, 32, 32] and the network's output in evaluation mode.
  recurrent_reference.json    GRU / LSTM weights (PyTorch layout), a fixed input and PyTorch's outputs and final states.
"""
import json
import torch
from torch import nn

torch.manual_seed(1234)


def small_cnn(width_multiplier):
    """The same layout as Emotion.Torch.Backbones.SmallCnnBackbone."""
    width = round(16 * width_multiplier)
    layers = []
    channels_in = 3
    for i in range(4):
        channels_out = width << i
        layers.append((f"block{i + 1}", nn.Sequential(
            nn.Conv2d(channels_in, channels_out, 3, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(channels_out),
            nn.ReLU(inplace=True))))
        channels_in = channels_out
    layers.append(("pool", nn.AdaptiveAvgPool2d(1)))
    layers.append(("flatten", nn.Flatten()))
    return nn.Sequential(__import__("collections").OrderedDict(layers))


def tolist(t):
    return t.detach().double().reshape(-1).tolist()


def small_cnn_fixture():
    net = small_cnn(0.5)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)
    net.eval()
    torch.save(net.state_dict(), "small_cnn_w05.pt")
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        y = net(x)
    with open("small_cnn_w05_io.json", "w") as f:
        json.dump({"input_shape": list(x.shape), "input": tolist(x), "output_shape": list(y.shape), "output": tolist(y)}, f)


def recurrent_case(kind, input_size, hidden, layers, bidirectional, batch, steps):
    cls = nn.GRU if kind == "gru" else nn.LSTM
    rnn = cls(input_size, hidden, num_layers=layers, batch_first=True, bidirectional=bidirectional)
    x = torch.randn(batch, steps, input_size)
    with torch.no_grad():
        if kind == "gru":
            out, h = rnn(x)
            c = None
        else:
            out, (h, c) = rnn(x)
    case = {
        "kind": kind, "inputSize": input_size, "hidden": hidden, "layers": layers, "bidirectional": bidirectional,
        "weights": {k: {"shape": list(v.shape), "values": tolist(v)} for k, v in rnn.state_dict().items()},
        "inputShape": list(x.shape), "input": tolist(x),
        "outputShape": list(out.shape), "output": tolist(out),
        "hiddenShape": list(h.shape), "hiddenState": tolist(h),
    }
    if c is not None:
        case["cell"] = tolist(c)
    return case


def recurrent_fixture():
    cases = [
        recurrent_case("gru", 6, 4, 2, False, 2, 5),
        recurrent_case("lstm", 6, 4, 2, False, 2, 5),
        recurrent_case("gru", 6, 3, 1, True, 2, 4),
        recurrent_case("lstm", 6, 3, 1, True, 2, 4),
    ]
    with open("recurrent_reference.json", "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f)


if __name__ == "__main__":
    small_cnn_fixture()
    recurrent_fixture()
