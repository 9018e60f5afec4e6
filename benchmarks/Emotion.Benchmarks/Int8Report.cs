using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Emotion.Core;
using Emotion.Core.Metrics;
using Emotion.Onnx;
using Emotion.Onnx.Export;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;
using Emotion.Onnx.Export.Quantization;
using Emotion.Preprocessing.Datasets;
using Emotion.Torch.Models;
using Emotion.Torch.Pretrained;
using Emotion.Torch.Training;
using Microsoft.ML.OnnxRuntime;

namespace Emotion.Benchmarks;

/// <summary>
/// <c>--int8-report</c>: the figures of docs/onnx-export.md's quantization section, for the demo's three models and the
/// default real-face model: each exported in fp32 and quantized to int8 with every calibration method (calibrated on the
/// demo's Training_Set frames), then macro F1 / mean CCC on the demo's Validation_Set (whole videos, state carried), the
/// largest probability difference on the validation frames and on the real-face crops of
/// tests/Emotion.Torch.Tests/Fixtures/RealFaces, and frames/s of fp32 and int8 measured alternately in one process
/// (Stopwatch, alternating calls, median; BenchmarkDotNet's <see cref="QuantizedInferenceBenchmarks"/> gives the ResNet-18 figures).
/// <c>--int8-profile</c>: ONNX Runtime's session profile of the ResNet-18 + GRU benchmark model, fp32 and int8: kernel
/// time per operator type.
/// </summary>
public static class Int8Report
{
    private const int Threads = 2;

    /// <summary>Runs the report; returns the exit code.</summary>
    public static int Run(string demo, string realFaces, string assets, double seconds)
    {
        Console.WriteLine($"load average at start: {LoadAverage()}; {Environment.ProcessorCount} CPUs; ONNX Runtime {Threads} threads");
        string data = Path.Combine(demo, "data");
        var validation = AffWild2Dataset.Load(data, AffWild2Layout.ValidationSplit);
        string work = Directory.CreateTempSubdirectory("emotion-int8-report-").FullName;
        try
        {
            Console.WriteLine("| model | calibration | macro F1 % fp32 / int8 (Δ) | mean CCC fp32 / int8 (Δ) | max Δp validation | max Δ valence/arousal validation | max Δp real photos | top-1 changes validation / photos | frames/s fp32 / int8 (median ratio) |");
            Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
            foreach (string task in new[] { "categorical", "va", "combined" })
            {
                string checkpoint = Path.Combine(demo, "models", task, "best");
                using var model = TrainingCheckpoint.LoadModel(checkpoint);
                Report($"demo {task} (small CNN + GRU-64, {model.Info.FrameSize} px)", model, data, validation, realFaces, work, seconds);
            }
            using (var pretrained = PretrainedModels.CreateModel("mini-xception-fer2013", assets))
                Report($"mini-xception-fer2013 ({pretrained.Info.FrameSize} px gray)", pretrained, data, validation, realFaces, work, seconds);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        Console.WriteLine($"load average at end: {LoadAverage()}");
        return 0;
    }

    private static void Report(string name, EmotionModel model, string data, EmotionDataset validation, string realFaces, string work, double seconds)
    {
        var fp32 = OnnxExporter.ToModel(model);
        string fp32Path = Path.Combine(work, "fp32.onnx");
        OnnxModelFile.Save(fp32, fp32Path);
        var calibration = CalibrationData.FromFolder(data, model.Info);
        var reference = Evaluate(fp32Path, validation, data, realFaces);
        foreach (var method in new[] { CalibrationMethod.Percentile, CalibrationMethod.MinMax, CalibrationMethod.Entropy })
        {
            var options = QuantizationOptions.Default with { Method = method, CalibrationThreads = Threads };
            var quantized = OnnxQuantizer.Quantize(fp32, calibration, options);
            string int8Path = Path.Combine(work, $"int8-{method}.onnx");
            OnnxModelFile.Save(quantized.Model, int8Path);
            var e = Evaluate(int8Path, validation, data, realFaces);
            string speed = "";
            if (method == CalibrationMethod.Percentile)
            {
                var (f, q, ratio) = Throughput(fp32Path, int8Path, model.Info, seconds);
                speed = string.Create(CultureInfo.InvariantCulture, $"{f:F0} / {q:F0} ({ratio:F2}x)");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {options.MethodName}, {quantized.CalibrationFrames} frames | {Pair(reference.F1, e.F1, 100)} | {Pair(reference.Ccc, e.Ccc, 1)} | " +
                $"{MaxDiff(reference.Probabilities, e.Probabilities)} | {MaxDiff(reference.ValenceArousal, e.ValenceArousal)} | {MaxDiff(reference.PhotoProbabilities, e.PhotoProbabilities)} | {reference.TopChanges(e)} | {speed} |"));
        }
    }

    private static string Pair(double? a, double? b, double scale)
    {
        if (a is not { } x || b is not { } y) return "–";
        return scale == 100
            ? FormattableString.Invariant($"{x * 100:F2} / {y * 100:F2} ({(y - x) * 100:+0.00;-0.00;0.00})")
            : FormattableString.Invariant($"{x:F4} / {y:F4} ({y - x:+0.0000;-0.0000;0.0000})");
    }

    private static string MaxDiff(float[] a, float[] b) =>
        a.Length == 0 ? "–" : a.Zip(b, (x, y) => Math.Abs(x - y)).Max().ToString("F4", CultureInfo.InvariantCulture);

    private sealed record Evaluation(double? F1, double? Ccc, float[] Probabilities, float[] ValenceArousal, float[] PhotoProbabilities, int Classes)
    {
        /// <summary>Frames and photos whose top category differs from <paramref name="other"/>'s, out of how many.</summary>
        public string TopChanges(Evaluation other)
        {
            if (Classes == 0) return "–";
            static int[] Top(float[] p, int k) => Enumerable.Range(0, p.Length / k).Select(i => FramePrediction.ArgMax(p.AsSpan(i * k, k))).ToArray();
            int Changed(float[] a, float[] b) => Top(a, Classes).Zip(Top(b, Classes), (x, y) => x != y ? 1 : 0).Sum();
            return $"{Changed(Probabilities, other.Probabilities)} of {Probabilities.Length / Classes} / {Changed(PhotoProbabilities, other.PhotoProbabilities)} of {PhotoProbabilities.Length / Classes}";
        }
    }

    private static Evaluation Evaluate(string modelPath, EmotionDataset validation, string data, string realFaces)
    {
        using var predictor = new EmotionPredictor(modelPath, new EmotionPredictorOptions { IntraOpThreads = Threads, ResizeFrames = true });
        var categories = predictor.Categories;
        List<int> predicted = [], targets = [];
        List<bool> hasCategory = [], hasVa = [];
        List<float> v = [], a = [], vt = [], at = [], probabilities = [];
        foreach (var video in validation.Videos)
        {
            var labels = video.Frames.ToDictionary(f => f.Number, f => f.Label);
            foreach (var p in predictor.PredictFolder(Path.Combine(data, AffWild2Layout.FramesFolder, video.Id)))
            {
                var label = labels.GetValueOrDefault(p.FrameNumber);
                if (predictor.PredictsCategories)
                {
                    predicted.Add(categories.IndexOf(p.Category!.Value));
                    bool known = label.Category is { } c && categories.Contains(c);
                    targets.Add(known ? categories.IndexOf(label.Category!.Value) : 0);
                    hasCategory.Add(known);
                    probabilities.AddRange(categories.Select(k => p.Probabilities[(int)k]));
                }
                if (predictor.PredictsValenceArousal)
                {
                    v.Add(p.Valence!.Value);
                    a.Add(p.Arousal!.Value);
                    vt.Add(label.Valence ?? 0);
                    at.Add(label.Arousal ?? 0);
                    hasVa.Add(label.HasValenceArousal);
                }
            }
        }
        double? f1 = predictor.PredictsCategories && hasCategory.Contains(true)
            ? ClassificationMetrics.MacroF1([.. predicted], [.. targets], categories.Length, [.. hasCategory]) : null;
        // The pretrained model's valence/arousal are estimated from its categories; CCC is only reported for trained ones.
        double? ccc = predictor.PredictsValenceArousal && hasVa.Contains(true) && predictor.ModelInfo?.ValenceArousalSource != ValenceArousalSource.CategoryExpectation
            ? (RegressionMetrics.Ccc([.. v], [.. vt], [.. hasVa]) + RegressionMetrics.Ccc([.. a], [.. at], [.. hasVa])) / 2 : null;
        var photos = new List<float>();
        if (predictor.PredictsCategories)
        {
            var files = Directory.GetFiles(realFaces, "*.png").Order(StringComparer.Ordinal).ToList();
            foreach (var p in predictor.PredictImageFiles(files)) photos.AddRange(categories.Select(k => p.Probabilities[(int)k]));
        }
        // Valence/arousal compared only where the model regresses them (estimated ones follow the probabilities).
        float[] va = ccc is null ? [] : [.. v, .. a];
        return new Evaluation(f1, ccc, [.. probabilities], va, [.. photos], predictor.PredictsCategories ? categories.Length : 0);
    }

    /// <summary>
    /// Frames/s of both models (4 sequences x 8 frames per call for recurrent models, as in the benchmarks; 32 frames
    /// otherwise), calls
    /// alternated for <paramref name="seconds"/>: the median call of each, and the median of the ratios of adjacent
    /// calls (robust to load that changes during the run).
    /// </summary>
    private static (double Fp32, double Int8, double Ratio) Throughput(string fp32Path, string int8Path, EmotionModelInfo info, double seconds)
    {
        int frames = info.SequenceLength > 1 ? 8 : 1, batch = info.SequenceLength > 1 ? 4 : 32;
        var options = new EmotionPredictorOptions { IntraOpThreads = Threads, MaxFramesPerRun = batch * frames };
        using var a = new EmotionPredictor(fp32Path, options);
        using var b = new EmotionPredictor(int8Path, options);
        var random = new Random(0);
        var input = new float[batch * frames * a.FrameLength];
        for (int i = 0; i < input.Length; i++) input[i] = (float)(random.NextDouble() * 2 - 1);
        List<double> ta = [], tb = [], ratios = [];
        var clock = Stopwatch.StartNew();
        for (int warm = 0; warm < 3; warm++) { a.PredictPreprocessed(input, batch, frames); b.PredictPreprocessed(input, batch, frames); }
        while (clock.Elapsed.TotalSeconds < seconds || ta.Count < 10)
        {
            var t = Stopwatch.GetTimestamp();
            a.PredictPreprocessed(input, batch, frames);
            ta.Add(Stopwatch.GetElapsedTime(t).TotalSeconds);
            t = Stopwatch.GetTimestamp();
            b.PredictPreprocessed(input, batch, frames);
            tb.Add(Stopwatch.GetElapsedTime(t).TotalSeconds);
            ratios.Add(ta[^1] / tb[^1]);
        }
        static double Median(List<double> x) { x.Sort(); return x[x.Count / 2]; }
        return (batch * frames / Median(ta), batch * frames / Median(tb), Median(ratios));
    }

    /// <summary>
    /// ONNX Runtime's profile of the ResNet-18 + GRU benchmark model, or of a (single-layer GRU) checkpoint, in fp32, U8S8 and
    /// S8S8: kernel milliseconds per operator type over <paramref name="calls"/> calls of 4 x 8 frames.
    /// </summary>
    public static int Profile(int calls, string? checkpoint = null)
    {
        Console.WriteLine($"load average at start: {LoadAverage()}");
        BenchmarkModels.Prepare();
        using var model = checkpoint is null
            ? BenchmarkModels.Library(Emotion.Torch.Backbones.BackboneNames.ResNet18, "gru", 8, Emotion.Cli.Workflows.Benchmarking.BenchmarkDevice.Cpu)
            : TrainingCheckpoint.LoadModel(checkpoint);
        Console.WriteLine($"model: {checkpoint ?? "ResNet-18 + GRU-128 (random weights)"}, {model.Info.FrameSize} px");
        var fp32 = OnnxExporter.ToModel(model);
        int size = model.Info.FrameSize, length = 3 * size * size;
        long hidden = model.Head.Spec.Hidden;
        var random = new Random(1);
        var calibration = CalibrationData.FromSequences(Enumerable.Range(0, 8).Select(_ => Enumerable.Range(0, 8 * length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray()), length);
        var u8 = OnnxQuantizer.Quantize(fp32, calibration, QuantizationOptions.Default with { CalibrationThreads = Threads });
        var s8 = OnnxQuantizer.Quantize(fp32, calibration, QuantizationOptions.Default with { CalibrationThreads = Threads, Activations = QuantizedActivationType.Int8 });
        Console.WriteLine($"int8 plan: {u8.Summary}");
        string work = Directory.CreateTempSubdirectory("emotion-int8-profile-").FullName;
        try
        {
            foreach (var (name, m, int8Allowed) in new[] { ("fp32", fp32, false), ("int8 U8S8", u8.Model, false), ("int8 S8S8", s8.Model, false),
                         ("int8 S8S8, session.qdqisint8allowed=1", s8.Model, true) })
            {
                string path = Path.Combine(work, $"model-{(name + (int8Allowed ? "-allowed" : "")).GetHashCode():x}.onnx");
                OnnxModelFile.Save(m, path);
                using var so = new SessionOptions { IntraOpNumThreads = Threads, EnableProfiling = true, ProfileOutputPathPrefix = Path.Combine(work, "profile") };
                // ONNX Runtime's switch for int8 (not uint8) activations in its QDQ fusions, off by default on x86.
                if (int8Allowed) so.AddSessionConfigEntry("session.qdqisint8allowed", "1");
                using var session = new InferenceSession(path, so);
                var input = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>([4, 8, 3, size, size]);
                var h0 = new Microsoft.ML.OnnxRuntime.Tensors.DenseTensor<float>([1, 4, (int)hidden]);
                var feeds = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("frames", input), NamedOnnxValue.CreateFromTensor("h0", h0) };
                for (int i = 0; i < calls; i++) session.Run(feeds).Dispose();
                string file = session.EndProfiling();
                var byOp = new Dictionary<string, (int Count, double Us)>();
                foreach (var e in JsonDocument.Parse(File.ReadAllText(Path.IsPathRooted(file) ? file : Path.Combine(Environment.CurrentDirectory, file))).RootElement.EnumerateArray())
                {
                    if (e.GetProperty("cat").GetString() != "Node" || !e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal)) continue;
                    string op = e.GetProperty("args").GetProperty("op_name").GetString()!;
                    var (c, us) = byOp.GetValueOrDefault(op);
                    byOp[op] = (c + 1, us + e.GetProperty("dur").GetDouble());
                }
                if (!Path.IsPathRooted(file)) File.Delete(Path.Combine(Environment.CurrentDirectory, file));
                double total = byOp.Values.Sum(v => v.Us);
                Console.WriteLine($"\n{name}: {total / 1000 / calls:F1} ms of kernel time per call (4 x 8 frames)");
                Console.WriteLine("| operator | nodes | ms per call | share |");
                Console.WriteLine("| --- | ---: | ---: | ---: |");
                foreach (var (op, (count, us)) in byOp.OrderByDescending(p => p.Value.Us))
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {op} | {count / calls} | {us / 1000 / calls:F2} | {100 * us / total:F1} % |"));
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        Console.WriteLine($"load average at end: {LoadAverage()}");
        return 0;
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
}
