using Emotion.Core;
using Emotion.Onnx.Export.Graph;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Onnx.Tests.Inference;

/// <summary>
/// Tiny ONNX models built with the exporter's graph builder, whose outputs are simple functions of the frames' mean
/// pixel values, so that every expected output is computed by hand in the tests (<see cref="ChannelMeans"/>).
/// </summary>
internal static class TinyModels
{
    public const int Size = 4;

    /// <summary>The per-channel weights of the linear models: logits = m @ W + b (3 x 7) and va = tanh(m @ V + c) (3 x 2).</summary>
    public static readonly float[] W =
    [
        1.0f, -1.0f, 0.5f, 0.0f, 2.0f, -0.5f, 0.25f,
        0.0f, 1.0f, -1.0f, 0.5f, 1.0f, 0.0f, -0.25f,
        -1.0f, 0.0f, 0.5f, 1.0f, -2.0f, 0.5f, 0.0f,
    ];
    public static readonly float[] Bias = [0.1f, 0.0f, -0.1f, 0.2f, 0.0f, 0.3f, -0.2f];
    public static readonly float[] V = [0.5f, -0.5f, 0.25f, 0.5f, -0.5f, 0.25f];
    public static readonly float[] VaBias = [0.0f, 0.1f];

    public static EmotionModelInfo Info(EmotionTask task = EmotionTask.Combined, IEnumerable<EmotionCategory>? categories = null) => new()
    {
        Task = task,
        Categories = task.HasCategories() ? [.. categories ?? EmotionCategories.Basic] : [],
        FrameSize = Size,
        Normalization = Normalization.ImageNet,
    };

    /// <summary>
    /// A stateless per-frame model in Emotion.Core's layout: frames [batch, time, 3, 4, 4] -> m = channel means
    /// [batch, time, 3] -> logits = m @ W + b, valence_arousal = tanh(m @ V + c).
    /// </summary>
    public static void SaveLinear(string path, EmotionModelInfo? info = null, bool metadata = true)
    {
        info ??= Info();
        var g = new OnnxGraphBuilder("linear");
        string frames = g.AddInput("frames", ["batch", "time", 3, Size, Size]);
        string m = g.AddNode("ReduceMean", [frames], "means", OnnxAttribute.Ints("axes", 3, 4), OnnxAttribute.Int("keepdims", 0));
        if (info.Task.HasCategories())
        {
            int classes = info.Categories.Length;
            string w = g.AddInitializer("w", W.AsSpan(0, 3 * 7).ToArray().Chunk(7).SelectMany(r => r.Take(classes)).ToArray(), 3, classes);
            string b = g.AddInitializer("b", Bias.AsSpan(0, classes), classes);
            string mw = g.AddNode("MatMul", [m, w], "mw");
            g.AddOutput(g.AddNode("Add", [mw, b], "logits"), ["batch", "time", classes]);
        }
        if (info.Task.HasValenceArousal())
        {
            string v = g.AddInitializer("v", V, 3, 2);
            string c = g.AddInitializer("c", VaBias, 2);
            string mv = g.AddNode("MatMul", [m, v], "mv");
            string pre = g.AddNode("Add", [mv, c], "va_pre");
            g.AddOutput(g.AddNode("Tanh", [pre], "valence_arousal"), ["batch", "time", 2]);
        }
        if (metadata) g.AddMetadata(OnnxMetadataKeys.ModelInfo, info.ToJson());
        g.Save(path);
    }

    /// <summary>
    /// A stateful "recurrent" model: s_t = h0 + Σ_(u ≤ t) mean(frame_u) (mean over all pixels and channels), carried in
    /// h0 [1, batch, 1] -> hn [1, batch, 1]; logits_k = s_t * W[0, k] + b_k; valence_arousal = tanh(s_t * V[0, j] + c_j).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="sequenceOutput">Return one row per sequence (s at the last frame, [batch, 1, C]) with
    /// <c>emotion.output_mode = sequence</c>, as a sequence-to-one model does.</param>
    public static void SaveCumulative(string path, bool sequenceOutput = false)
    {
        var info = Info();
        var g = new OnnxGraphBuilder("cumulative");
        string frames = g.AddInput("frames", ["batch", "time", 3, Size, Size]);
        string h0 = g.AddInput("h0", [1, "batch", 1]);
        string m = g.AddNode("ReduceMean", [frames], "m", OnnxAttribute.Ints("axes", 2, 3, 4), OnnxAttribute.Int("keepdims", 0)); // [B, T]
        string axis = g.AddInt64Initializer("axis1", [1], 1);
        string cum = g.AddNode("CumSum", [m, g.AddInt64Initializer("cum_axis", [1])], "cum"); // [B, T]
        string h = g.AddNode("Reshape", [h0, g.AddInt64Initializer("shape_b1", [-1, 1], 2)], "h"); // [B, 1]
        string s = g.AddNode("Add", [cum, h], "s"); // [B, T]
        string last = g.AddNode("Slice", [s, g.AddInt64Initializer("start", [-1], 1), g.AddInt64Initializer("end", [long.MaxValue], 1), axis], "s_last"); // [B, 1]
        g.AddOutput(g.AddNode("Reshape", [last, g.AddInt64Initializer("shape_1b1", [1, -1, 1], 3)], "hn"), [1, "batch", 1]);
        string s3 = g.AddNode("Reshape", [sequenceOutput ? last : s, g.AddInt64Initializer("shape_bt1", [0, 0, 1], 3)], "s3"); // [B, T or 1, 1]
        if (sequenceOutput) g.AddMetadata(OnnxMetadataKeys.OutputMode, "sequence");
        string lw = g.AddNode("Mul", [s3, g.AddInitializer("w0", W.AsSpan(0, 7), 7)], "lw");
        g.AddOutput(g.AddNode("Add", [lw, g.AddInitializer("b", Bias, 7)], "logits"), ["batch", "time", 7]);
        string vw = g.AddNode("Mul", [s3, g.AddInitializer("v0", V.AsSpan(0, 2), 2)], "vw");
        string vp = g.AddNode("Add", [vw, g.AddInitializer("c", VaBias, 2)], "vp");
        g.AddOutput(g.AddNode("Tanh", [vp], "valence_arousal"), ["batch", "time", 2]);
        g.AddMetadata(OnnxMetadataKeys.ModelInfo, info.ToJson());
        g.Save(path);
    }

    /// <summary>
    /// A third-party-style image classifier: input <c>input_1</c> [1, 4, 4, 3] (NHWC, fixed batch 1, like a Keras model),
    /// output <c>scores</c> [1, 8] = softmax(m @ W8 + b8) with m the per-channel means of the input in its channel order
    /// and 8 labels (FER-2013's 7 plus contempt). No metadata.
    /// </summary>
    public static void SaveNhwcClassifier(string path, float[] w8, float[] b8, int batch = 1)
    {
        var g = new OnnxGraphBuilder("keras_like");
        string x = g.AddInput("input_1", [batch, Size, Size, 3]);
        string m = g.AddNode("ReduceMean", [x], "m", OnnxAttribute.Ints("axes", 1, 2), OnnxAttribute.Int("keepdims", 0)); // [1, 3]
        string mw = g.AddNode("MatMul", [m, g.AddInitializer("w", w8, 3, 8)], "mw");
        string z = g.AddNode("Add", [mw, g.AddInitializer("b", b8, 8)], "z");
        g.AddOutput(g.AddNode("Softmax", [z], "scores", OnnxAttribute.Int("axis", -1)), [batch, 8]);
        g.Save(path);
    }

    /// <summary>
    /// A FER-2013-style classifier like most PyTorch exports: input <c>input</c> [N, 3, 4, 4] (NCHW, dynamic batch),
    /// output <c>output</c> [N, 7] logits = m @ W + b with m the per-channel means. No metadata.
    /// </summary>
    public static void SaveNchwClassifier(string path)
    {
        var g = new OnnxGraphBuilder("torch_like");
        string x = g.AddInput("input", ["N", 3, Size, Size]);
        string m = g.AddNode("ReduceMean", [x], "m", OnnxAttribute.Ints("axes", 2, 3), OnnxAttribute.Int("keepdims", 0));
        string mw = g.AddNode("MatMul", [m, g.AddInitializer("w", W, 3, 7)], "mw");
        g.AddOutput(g.AddNode("Add", [mw, g.AddInitializer("b", Bias, 7)], "output"), ["N", 7]);
        g.Save(path);
    }

    /// <summary>The per-channel means (R, G, B) of an image's pixels normalised with <paramref name="n"/>.</summary>
    public static double[] ChannelMeans(Image<Rgb24> image, Normalization n)
    {
        var sums = new double[3];
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
            {
                var p = image[x, y];
                sums[0] += (p.R / 255.0 - n.Mean.R) / n.Std.R;
                sums[1] += (p.G / 255.0 - n.Mean.G) / n.Std.G;
                sums[2] += (p.B / 255.0 - n.Mean.B) / n.Std.B;
            }
        int count = image.Width * image.Height;
        return [sums[0] / count, sums[1] / count, sums[2] / count];
    }

    /// <summary>logits = m @ W + b for the first <paramref name="classes"/> columns.</summary>
    public static double[] Logits(double[] m, int classes = 7)
    {
        var z = new double[classes];
        for (int k = 0; k < classes; k++) z[k] = Bias[k] + m[0] * W[k] + m[1] * W[7 + k] + m[2] * W[14 + k];
        return z;
    }

    /// <summary>(valence, arousal) = tanh(m @ V + c).</summary>
    public static (double Valence, double Arousal) Va(double[] m) =>
        (Math.Tanh(VaBias[0] + m[0] * V[0] + m[1] * V[2] + m[2] * V[4]), Math.Tanh(VaBias[1] + m[0] * V[1] + m[1] * V[3] + m[2] * V[5]));

    public static double[] Softmax(double[] z)
    {
        double max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        double sum = e.Sum();
        return [.. e.Select(v => v / sum)];
    }

    /// <summary>A 4x4 image with pseudo-random pixels from <paramref name="seed"/>.</summary>
    public static Image<Rgb24> RandomImage(int seed, int width = Size, int height = Size)
    {
        var random = new Random(seed);
        var image = new Image<Rgb24>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        return image;
    }
}
