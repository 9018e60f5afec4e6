using System.Text;
using Emotion.Core;
using Emotion.Preprocessing.Annotations;
using Emotion.Torch.Backbones;
using Emotion.Torch.Heads;
using Emotion.Torch.Import;
using Emotion.Torch.Losses;
using Emotion.Torch.Models;
using Emotion.Torch.Training;
using Emotion.Torch.Weights;
using SharpFuzz;

namespace Emotion.Fuzz;

/// <summary>
/// SharpFuzz harness over the parsers that read a user's file. Usage: <c>Emotion.Fuzz TARGET</c> under afl-fuzz
/// (persistent mode), or <c>Emotion.Fuzz TARGET FILE...</c> to replay inputs once each (reports the outcome).
/// A parser's documented exceptions are expected; anything else escapes and afl++ records it as a crash.
/// </summary>
public static class Program
{
    private static readonly string WorkDir = Directory.CreateTempSubdirectory("emotion-fuzz-").FullName;

    /// <summary>The targets, each a parser and the exception types its documentation promises.</summary>
    private static readonly Dictionary<string, (Action<byte[]> Parse, Type[] Expected)> Targets = new()
    {
        ["affwild2-expr"] = (b => BothModes(b, "video.txt",
            (p, o) => AffWild2Annotations.ReadExpressions(p, o, new List<AnnotationIssue>())), [typeof(AnnotationFormatException)]),
        ["affwild2-va"] = (b => BothModes(b, "video.txt",
            (p, o) => AffWild2Annotations.ReadValenceArousal(p, o, new List<AnnotationIssue>())), [typeof(AnnotationFormatException)]),
        ["manifest"] = (b => BothModes(b, "manifest.csv",
            (p, o) => CsvManifest.Read(p, o, new List<AnnotationIssue>())), [typeof(AnnotationFormatException)]),
        ["facebox"] = (b => FaceBoxCsv.Read(WriteInput(b, "boxes.csv")), [typeof(AnnotationFormatException), typeof(FormatException)]),
        ["model-options"] = (b => EmotionModelOptions.FromJson(Text(b)), [typeof(FormatException)]),
        ["model-info"] = (b => EmotionModelInfo.FromJson(Text(b)), [typeof(FormatException)]),
        ["training-state"] = (b => TrainingState.FromJson(Text(b)), [typeof(FormatException)]),
        ["weights"] = (Weights, [typeof(InvalidDataException)]),
        ["onnx"] = (b => OnnxGraphReader.Read(b, "fuzz.onnx"), [typeof(InvalidDataException), typeof(NotSupportedException)]),
        ["tfjs"] = (Tfjs, [typeof(InvalidDataException), typeof(FileNotFoundException), typeof(KeyNotFoundException)]),
    };

    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "--write-json-seeds")
        {
            WriteJsonSeeds(args[1]);
            return 0;
        }
        if (args.Length == 0 || !Targets.TryGetValue(args[0], out var target))
        {
            Console.Error.WriteLine($"usage: Emotion.Fuzz TARGET [FILE...]; targets: {string.Join(", ", Targets.Keys)}");
            return 2;
        }
        try
        {
            if (args.Length > 1)
            {
                // Replay outside afl-fuzz: the instrumented assemblies write coverage to this buffer (null otherwise).
                unsafe { SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16); }
                int failures = 0;
                foreach (var file in args.Skip(1))
                {
                    try
                    {
                        RunOne(target, File.ReadAllBytes(file));
                        Console.WriteLine($"{file}: ok");
                    }
                    catch (Exception e)
                    {
                        failures++;
                        Console.WriteLine($"{file}: FINDING {e}");
                    }
                }
                return failures == 0 ? 0 : 1;
            }
            Action<Stream> fuzz = stream =>
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                RunOne(target, buffer.ToArray());
            };
            // The weights target reaches libtorch's native loader: in-process, a native abort kills afl's fork server
            // (seen as "Unable to communicate with fork server"); out of process it is recorded as a crash.
            if (args[0] == "weights") Fuzzer.OutOfProcess.Run(fuzz);
            else Fuzzer.Run(fuzz);
            return 0;
        }
        finally
        {
            try { Directory.Delete(WorkDir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void RunOne((Action<byte[]> Parse, Type[] Expected) target, byte[] input)
    {
        try
        {
            target.Parse(input);
        }
        catch (Exception e) when (target.Expected.Any(t => t.IsInstanceOfType(e)) && IsClean(e))
        {
            // Documented failure: the parser rejected the input with a clear error (FUZZ_VERBOSE=1 prints it on replay).
            if (Environment.GetEnvironmentVariable("FUZZ_VERBOSE") is not null) Console.WriteLine(e.Message);
        }
    }

    /// <summary>A documented exception that wraps a programming error (a null dereference, an index out of range) is still a finding.</summary>
    private static bool IsClean(Exception e) =>
        e.InnerException is not (NullReferenceException or IndexOutOfRangeException or InvalidCastException);

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    private static string WriteInput(byte[] bytes, string name)
    {
        string path = Path.Combine(WorkDir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static void BothModes(byte[] bytes, string name, Action<string, AnnotationLoadOptions> read)
    {
        string path = WriteInput(bytes, name);
        read(path, AnnotationLoadOptions.LenientDefault); // lenient: never throws on content, only reports
        read(path, AnnotationLoadOptions.Strict);
    }

    /// <summary>The format follows the bytes: a zip is a PyTorch file, a JSON header after 8 bytes is safetensors, else TorchSharp's format.</summary>
    private static void Weights(byte[] bytes)
    {
        string ext = bytes.Length >= 2 && bytes[0] == 'P' && bytes[1] == 'K' ? ".pt"
            : bytes.Length > 8 && bytes[8] == '{' ? ".safetensors" : ".dat";
        var tensors = StateDictFile.Read(WriteInput(bytes, "weights" + ext));
        foreach (var t in tensors.Values) t.Dispose();
    }

    /// <summary>Writes the JSON seeds with the library's own serialisers, so they are valid by construction.</summary>
    private static void WriteJsonSeeds(string seeds)
    {
        var options = new EmotionModelOptions
        {
            Backbone = BackboneSpec.ResNet18(), Head = HeadSpec.Gru(hidden: 8), FrameSize = 64, Normalization = Normalization.ImageNet,
        };
        var info = new EmotionModelInfo { Task = EmotionTask.Combined, FrameSize = 64, Normalization = Normalization.ImageNet, SequenceLength = 4 };
        var state = new TrainingState
        {
            Epoch = 2, GlobalStep = 40, Monitor = "loss", Options = new TrainerOptions(), Loss = LossSpec.DefaultFor(EmotionTask.Combined),
        };
        void Write(string target, string json)
        {
            Directory.CreateDirectory(Path.Combine(seeds, target));
            File.WriteAllText(Path.Combine(seeds, target, "valid.json"), json);
        }
        Write("model-options", options.ToJson());
        Write("model-info", info.ToJson());
        Write("training-state", state.ToJson());
        Directory.CreateDirectory(Path.Combine(seeds, "weights"));
        using var w = TorchSharp.torch.arange(6, TorchSharp.torch.float32).reshape(2, 3);
        using var b = TorchSharp.torch.zeros(2, TorchSharp.torch.int64);
        StateDictFile.Write(Path.Combine(seeds, "weights", "torchsharp.dat"), new Dictionary<string, TorchSharp.torch.Tensor> { ["fc.weight"] = w, ["fc.bias"] = b });
        TorchSharp.PyBridge.Safetensors.SaveStateDict(Path.Combine(seeds, "weights", "tiny.safetensors"), new Dictionary<string, TorchSharp.torch.Tensor> { ["fc.weight"] = w });
    }

    /// <summary>The input is model.json; one shard, group1-shard1of1.bin (64 bytes), sits beside it.</summary>
    private static void Tfjs(byte[] bytes)
    {
        string shard = Path.Combine(WorkDir, "group1-shard1of1.bin");
        if (!File.Exists(shard)) File.WriteAllBytes(shard, Enumerable.Range(0, 64).Select(i => (byte)i).ToArray());
        var model = TfjsModelFile.Load(WriteInput(bytes, "model.json"));
        // The importers read graph-node attributes lazily; read every one as each kind (documented: FormatException).
        foreach (var node in model.Nodes)
            foreach (var name in node.Attributes.Keys)
            {
                try { node.IntList(name); } catch (FormatException) { }
                try { node.StringList(name); } catch (FormatException) { }
                try { node.String(name); } catch (FormatException) { }
            }
    }
}
