using Emotion.Onnx.Models;
using Microsoft.Extensions.Options;

namespace Emotion.Extensions.DependencyInjection;

/// <summary>
/// Checks <see cref="EmotionRecognitionOptions"/> when the host starts (<c>ValidateOnStart</c>) or, without a host, when
/// the model's services are first resolved. The option records are checked by their own <c>Validate</c> methods
/// (<see cref="Onnx.EmotionPredictorOptions.Validate"/>, <see cref="Onnx.Video.VideoPredictionOptions.Validate(bool, bool)"/>,
/// <see cref="FaceDetection.FaceDetectorOptions.Validate"/>); this class adds the files and how the parts fit, and names
/// each failing setting by its configuration key (<c>EmotionRecognition:Video:Margin</c>) when the options were bound from
/// configuration, or by its property path (<c>EmotionRecognitionOptions.Video.Margin</c>) otherwise.
/// </summary>
public sealed class EmotionRecognitionOptionsValidator : IValidateOptions<EmotionRecognitionOptions>
{
    private readonly EmotionRecognitionSections sections;

    /// <summary>Creates the validator; the registration passes the configuration sections the models were bound from.</summary>
    internal EmotionRecognitionOptionsValidator(EmotionRecognitionSections sections) => this.sections = sections;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EmotionRecognitionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        name ??= Options.DefaultName;
        var failures = new List<string>();
        void Fail(string setting, string problem) => failures.Add($"{Setting(name, setting)}: {problem}");

        CheckFile(options.ModelPath, nameof(options.ModelPath), "ONNX model", Fail);
        if (options.Predictor is null) Fail(nameof(options.Predictor), "is null; leave it out for the defaults.");
        else Check(nameof(options.Predictor), () => options.Predictor.Validate(), (setting, problem) =>
            Fail(setting, setting.StartsWith("Predictor:Descriptor", StringComparison.Ordinal)
                ? problem + " (From configuration, give the descriptor as a JSON file in DescriptorPath: its lists, such as Labels, do not bind.)"
                : problem));
        if (options.DescriptorPath is not null)
        {
            if (options.Predictor?.Descriptor is not null)
                Fail(nameof(options.DescriptorPath), "a descriptor file and Predictor:Descriptor are both set; give one.");
            if (CheckFile(options.DescriptorPath, nameof(options.DescriptorPath), "model descriptor", Fail))
            {
                try
                {
                    OnnxModelDescriptor.FromJson(File.ReadAllText(options.DescriptorPath));
                }
                catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
                {
                    Fail(nameof(options.DescriptorPath), $"'{options.DescriptorPath}': {e.Message}");
                }
            }
        }

        bool detectorFile = options.FaceDetectorPath is not null;
        if (detectorFile) CheckFile(options.FaceDetectorPath, nameof(options.FaceDetectorPath), "face detector model", Fail);
        if (options.BlazeFace is { } blazeFace)
        {
            if (!detectorFile) Fail(nameof(options.BlazeFace), "BlazeFace settings are given but no FaceDetectorPath; set it to the BlazeFace .onnx file (UseFaceDetector(path, options)).");
            Check(nameof(options.BlazeFace), () => blazeFace.Validate(), Fail);
        }
        if (options.Video is null)
        {
            Fail(nameof(options.Video), "is null; leave it out for the defaults.");
        }
        else
        {
            if (detectorFile && options.Video.Detector is not null)
                Fail($"{nameof(options.Video)}:Detector", "a detector object is set in code and FaceDetectorPath names a file; give one.");
            Check(nameof(options.Video), () => options.Video.Validate(faceBoxesPending: false, detectorPending: detectorFile), (setting, problem) =>
                Fail(setting, setting.EndsWith(":AllFaces", StringComparison.Ordinal)
                    ? problem + " Set FaceDetectorPath to a BlazeFace or UltraFace .onnx file (UseFaceDetector(path))."
                    : problem));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>How a setting is named in messages: its configuration key, or its property path.</summary>
    private string Setting(string name, string path) =>
        sections.Find(name) is { } section
            ? (section.Length == 0 ? path : $"{section}:{path}")
            : $"{nameof(EmotionRecognitionOptions)}.{path.Replace(':', '.')}" + (name.Length == 0 ? "" : $" (model '{name}')");

    /// <summary>Checks that a file setting is set and exists; false (with a failure) when it is not.</summary>
    private static bool CheckFile(string? path, string setting, string what, Action<string, string> fail)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            fail(setting, $"no {what} file is configured (in code: {Hint(setting)}).");
            return false;
        }
        if (File.Exists(path)) return true;
        string full = Path.GetFullPath(path);
        fail(setting, $"the {what} file '{path}'{(full == path ? "" : $" ({full})")} does not exist.");
        return false;
    }

    private static string Hint(string setting) => setting switch
    {
        nameof(EmotionRecognitionOptions.ModelPath) => "AddEmotionRecognition(o => o.UseOnnxModel(\"model.onnx\"))",
        nameof(EmotionRecognitionOptions.FaceDetectorPath) => "o.UseFaceDetector(\"blazeface.onnx\")",
        _ => $"o.{setting} = path",
    };

    /// <summary>Runs one of the library's own checks and reports its failure under <paramref name="prefix"/> plus the property it names.</summary>
    private static void Check(string prefix, Action validate, Action<string, string> fail)
    {
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            // The records name the property at fault in ParamName, and wrap a nested record's failure (Predictor:Smoothing,
            // Video:Tracking) with its own exception inside: follow that chain to the innermost setting.
            var setting = prefix;
            ArgumentException current = e;
            while (current.ParamName is { Length: > 0 } parameter)
            {
                setting += ":" + parameter;
                if (current.InnerException is ArgumentException { ParamName.Length: > 0 } inner) current = inner;
                else break;
            }
            fail(setting, Clean(current));
        }
    }

    /// <summary>An exception's message without the " (Parameter 'X')" suffix (the setting is named already), on one line.</summary>
    private static string Clean(ArgumentException e)
    {
        string message = e.Message;
        if (e.ParamName is { } parameter) message = message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal);
        return string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
