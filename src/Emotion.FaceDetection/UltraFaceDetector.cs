using Emotion.FaceDetection.Decoding;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.FaceDetection;

/// <summary>
/// UltraFace (Ultra-Light-Fast-Generic-Face-Detector-1MB, RFB-320 or slim-320 layout) on ONNX Runtime: the image is
/// resized to the model's input (320x240 for the 320 models; stretched by default, as the reference code does), written
/// channels first as RGB <c>(pixel - 127) / 128</c>; the <c>scores</c> and <c>boxes</c> outputs are decoded
/// (<see cref="UltraFaceDecoder"/>), filtered by hard non-maximum suppression (<see cref="NonMaxSuppression.Hard"/>), and
/// mapped back to the image's pixels. Gives no keypoints. Thread-safe; dispose it to free the session.
/// </summary>
public sealed class UltraFaceDetector : IFaceDetector
{
    /// <summary>The scores output's name.</summary>
    public const string ScoresOutput = "scores";

    /// <summary>The boxes output's name.</summary>
    public const string BoxesOutput = "boxes";

    private readonly DetectorSession session;
    private readonly DetectorInput input;

    /// <summary>Opens an UltraFace model.</summary>
    /// <param name="modelPath">The ONNX file.</param>
    /// <param name="options">The options (default <see cref="UltraFaceOptions.Default"/>).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Emotion.Onnx.InvalidOnnxModelException">The file is not ONNX or not an UltraFace model; the message shows its inputs and outputs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="Emotion.Onnx.ExecutionProviderUnavailableException">No native ONNX Runtime package is referenced, or CUDA was asked for and is not available.</exception>
    public UltraFaceDetector(string modelPath, UltraFaceOptions? options = null)
    {
        Options = options ?? UltraFaceOptions.Default;
        session = new DetectorSession(modelPath, Options, "UltraFace");
        try
        {
            const string expected = "one image input [1,3,H,W] and outputs 'scores' [1,N,2] and 'boxes' [1,N,4]";
            if (session.Inputs.Count != 1
                || !session.Outputs.TryGetValue(ScoresOutput, out var scores)
                || !session.Outputs.TryGetValue(BoxesOutput, out var boxes))
                throw session.LayoutError(expected);
            var (name, meta) = session.Inputs.First();
            var d = meta.Dimensions;
            if (d.Length != 4 || !(d[0] is 1 or -1) || d[1] != 3 || d[2] <= 0 || d[3] <= 0) throw session.LayoutError(expected);
            var sd = scores.Dimensions;
            var bd = boxes.Dimensions;
            if (sd.Length != 3 || sd[2] != 2 || bd.Length != 3 || bd[2] != 4 || sd[1] != bd[1]) throw session.LayoutError(expected);
            input = new DetectorInput(name, d[3], d[2], ChannelsLast: false, 1f / 128f, -127f / 128f); // (pixel - 127) / 128
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The options.</summary>
    public UltraFaceOptions Options { get; }

    /// <summary>The model file.</summary>
    public string ModelPath => session.ModelPath;

    /// <summary>The model's input size in pixels (320x240 for the RFB-320 and slim-320 models).</summary>
    public Size InputSize => new(input.Width, input.Height);

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The detector was disposed.</exception>
    /// <exception cref="ArgumentException">The image is empty.</exception>
    public IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image) =>
        session.Detect(this, image, input, Options.KeepAspectRatio, [ScoresOutput, BoxesOutput],
            (outputs, candidates) => UltraFaceDecoder.Decode(outputs[0].GetTensorDataAsSpan<float>(), outputs[1].GetTensorDataAsSpan<float>(), Options.ScoreThreshold, candidates),
            candidates => NonMaxSuppression.Hard(candidates, Options.IouThreshold, Options.MaxFaces));

    /// <inheritdoc />
    public void Dispose() => session.Dispose();
}
