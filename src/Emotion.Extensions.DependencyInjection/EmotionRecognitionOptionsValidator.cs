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
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
