using Emotion.Core.IO;
using Emotion.Onnx.Export;
using Emotion.Torch.Pretrained;

namespace Emotion.Cli.Workflows;

/// <summary>
/// What <c>--model</c> names: an .onnx file, a checkpoint folder, or a pretrained catalogue name (for example
/// <c>face-expression</c>), which is exported with its metadata to a temporary .onnx file deleted on dispose, so that
/// it runs on ONNX Runtime like any exported model.
/// </summary>
public sealed class ModelSource : IDisposable
{
    private readonly string? temporary;

    private ModelSource(string path, bool isOnnx, string? pretrainedName, string? temporary)
    {
        Path = path;
        IsOnnx = isOnnx;
        PretrainedName = pretrainedName;
        this.temporary = temporary;
    }

    /// <summary>The model's file or folder.</summary>
    public string Path { get; }

    /// <summary>Whether <see cref="Path"/> is an ONNX model (else a TorchSharp checkpoint).</summary>
    public bool IsOnnx { get; }

    /// <summary>The catalogue name when the argument named a pretrained model.</summary>
    public string? PretrainedName { get; }

    /// <summary>Resolves the argument of <paramref name="option"/>: an existing path first, then a catalogue name.</summary>
    /// <param name="argument">The option's value.</param>
    /// <param name="option">The option's name, for messages.</param>
    /// <param name="status">Where to report a first-use download of libtorch, which a catalogue name needs (<see cref="LibTorch.Require"/>); standard error when null.</param>
    /// <exception cref="UsageException">It is neither an existing path nor a catalogue name.</exception>
    public static ModelSource Resolve(string argument, string option, TextWriter? status = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(argument);
        string full = System.IO.Path.GetFullPath(argument);
        if (File.Exists(full)) return new ModelSource(full, full.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase), null, null);
        if (Directory.Exists(full)) return new ModelSource(full, false, null, null);
        if (!PretrainedModels.Contains(argument))
            throw new UsageException(
                $"{option}: '{argument}' is neither an existing .onnx file or checkpoint folder nor a pretrained model name ({string.Join(", ", PretrainedModels.Names)}).");
        LibTorch.Require("predict --model " + argument, status ?? Console.Error);
        string temp = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"emotion-{argument}-{Guid.NewGuid():N}.onnx");
        using (var model = LoadPretrained(argument, option))
            OnnxExporter.Export(model, temp);
        return new ModelSource(temp, true, PretrainedModels.Get(argument).Name, temp);
    }

    /// <summary>The ready-to-use per-frame model of a catalogue entry; a missing file or an entry without a classifier is a command failure naming the option.</summary>
    /// <exception cref="CommandFailedException">The entry cannot be loaded.</exception>
    public static Emotion.Torch.Models.EmotionModel LoadPretrained(string name, string option)
    {
        try
        {
            return PretrainedModels.CreateModel(name);
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or InvalidOperationException)
        {
            throw new CommandFailedException($"{option} {name}: {e.Message}");
        }
    }

    /// <summary>Resolves a face detector argument: an existing .onnx file, or <c>blazeface</c> (the BlazeFace model in the asset cache).</summary>
    /// <exception cref="UsageException">It is neither.</exception>
    /// <exception cref="CommandFailedException">The named detector is not in the asset cache.</exception>
    public static string ResolveDetector(string argument, string option)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(argument);
        string full = System.IO.Path.GetFullPath(argument);
        if (File.Exists(full)) return full;
        if (!string.Equals(argument, BlazeFaceName, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"{option}: '{argument}' is neither an existing .onnx file nor a detector name ({BlazeFaceName}).");
        string cached = System.IO.Path.Combine(AssetCache.DefaultDirectory, BlazeFaceFile);
        return File.Exists(cached) ? cached
            : throw new CommandFailedException(
                $"{option} {BlazeFaceName}: '{BlazeFaceFile}' is not in the asset cache {AssetCache.DefaultDirectory}; fetch it with {AssetCache.FetchCommand} or give the .onnx file's path.");
    }

    /// <summary>The name <c>--detector</c> accepts for MediaPipe's BlazeFace (front camera, 128 x 128).</summary>
    public const string BlazeFaceName = "blazeface";

    /// <summary>BlazeFace's file in the asset cache (assets/assets.tsv).</summary>
    public const string BlazeFaceFile = "blazeface_front_128.onnx";

    /// <inheritdoc />
    public void Dispose()
    {
        if (temporary is not null)
        {
            try { File.Delete(temporary); }
            catch (IOException) { }
        }
    }
}
