using Emotion.Core;
using Emotion.Onnx.Models;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Onnx;

/// <summary>Reads the <see cref="OnnxModelDescriptor"/> (preprocessing, labels, outputs) of a model exported by Emotion.Onnx.Export from its metadata.</summary>
internal static class OnnxModelMetadata
{
    /// <summary>The descriptor derived from the model's Emotion.Core metadata.</summary>
    /// <exception cref="InvalidOnnxModelException">The metadata is missing or invalid; the message says what to do for a third-party model.</exception>
    public static OnnxModelDescriptor Read(string path, InferenceSession session)
    {
        var metadata = session.ModelMetadata.CustomMetadataMap;
        if (!metadata.TryGetValue(OnnxMetadataKeys.ModelInfo, out var json) || string.IsNullOrWhiteSpace(json))
            throw new InvalidOnnxModelException(path,
                $"'{path}' has no Emotion.Core metadata (no '{OnnxMetadataKeys.ModelInfo}' entry), so its preprocessing and labels are unknown. " +
                "Models exported by Emotion.Onnx.Export carry it; for a third-party model, describe its input and outputs with an " +
                "OnnxModelDescriptor (EmotionPredictorOptions.Descriptor; see docs/deployment.md).");
        EmotionModelInfo info;
        try
        {
            info = EmotionModelInfo.FromJson(json);
        }
        catch (FormatException e)
        {
            throw new InvalidOnnxModelException(path, $"'{path}' has invalid Emotion.Core metadata '{OnnxMetadataKeys.ModelInfo}': {e.Message}", e);
        }
        bool perFrame = !(metadata.TryGetValue(OnnxMetadataKeys.OutputMode, out var mode) && mode == "sequence");
        return OnnxModelDescriptor.FromModelInfo(info, [.. session.InputMetadata.Keys], [.. session.OutputMetadata.Keys]) with
        {
            PerFrameOutputs = perFrame,
        };
    }
}
