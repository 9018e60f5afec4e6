using Microsoft.Extensions.Options;

namespace Emotion.Extensions.DependencyInjection;

/// <summary>Checks <see cref="EmotionRecognitionOptions"/> when they are first read (the first resolve of the predictor).</summary>
public sealed class EmotionRecognitionOptionsValidator : IValidateOptions<EmotionRecognitionOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EmotionRecognitionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ModelPath))
            failures.Add("No ONNX model is configured: call AddEmotionRecognition(o => o.UseOnnxModel(\"model.onnx\")).");
        else if (!File.Exists(options.ModelPath))
            failures.Add($"The ONNX model file '{options.ModelPath}' (EmotionRecognitionOptions.ModelPath) does not exist.");
        try
        {
            options.ToPredictorOptions().Validate();
        }
        catch (ArgumentException e)
        {
            failures.Add($"Invalid emotion recognition option: {e.Message}");
        }
        ValidateVideo(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // The face detector and video prediction settings.
    private static void ValidateVideo(EmotionRecognitionOptions options, List<string> failures)
    {
        if (options.FaceDetectorPath is { } detector)
        {
            if (string.IsNullOrWhiteSpace(detector))
                failures.Add("The face detector path (EmotionRecognitionOptions.FaceDetectorPath) is empty: give the BlazeFace .onnx file to UseFaceDetector(path).");
            else if (!File.Exists(detector))
                failures.Add($"The face detector model file '{detector}' (EmotionRecognitionOptions.FaceDetectorPath) does not exist.");
        }
        else if (options.AllFaces)
        {
            failures.Add("AllFaces needs a face detector: call UseFaceDetector(\"blazeface.onnx\") as well.");
        }
        try
        {
            options.FaceDetectorOptions?.Validate();
            // Checked without a detector (none is opened here); the detector-dependent rule is the one above.
            (options.ToVideoOptions(null) with { AllFaces = false }).Validate();
        }
        catch (ArgumentException e)
        {
            failures.Add($"Invalid face or video option: {e.Message}");
        }
    }
}
