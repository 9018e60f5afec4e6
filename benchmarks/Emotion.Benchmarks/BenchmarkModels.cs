using Emotion.Cli.Workflows.Benchmarking;
using Emotion.Core;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Benchmarks;

/// <summary>The models every benchmark compares: the library's model and its plain-TorchSharp twin, built the same way everywhere.</summary>
public static class BenchmarkModels
{
    /// <summary>Frame size of the model benchmarks.</summary>
    public const int Size = 112;

    /// <summary>Hidden units of the recurrent heads.</summary>
    public const int Hidden = 128;

    /// <summary>The TorchSharp device for a benchmark device.</summary>
    public static Device TorchDevice(BenchmarkDevice device) => device == BenchmarkDevice.Cuda ? CUDA : CPU;

    /// <summary>Sets libtorch's threads (<see cref="BenchmarkScope.Threads"/>) and seeds it, so that both models start alike.</summary>
    public static void Prepare()
    {
        torch.set_num_threads(BenchmarkScope.Threads);
        torch.manual_seed(0);
    }

    /// <summary>The library's model (combined task) for sequences of <paramref name="frames"/> frames.</summary>
    public static EmotionModel Library(string backbone, string head, int frames, BenchmarkDevice device) => EmotionModel.Create()
        .WithInput(frames, Size)
        .WithBackbone(BackboneSpec.Named(backbone))
        .WithRecurrentHead(HeadSpec.FromName(head, Hidden))
        .ForTask(EmotionTask.Combined)
        .OnDevice(TorchDevice(device))
        .Build();

    /// <summary>The same network in plain TorchSharp, on the device.</summary>
    public static PlainTorchSharpModel Plain(string backbone, string head, BenchmarkDevice device)
    {
        var plain = new PlainTorchSharpModel(backbone, head, Hidden);
        if (device != BenchmarkDevice.Cpu) plain.to(TorchDevice(device));
        return plain;
    }
}
