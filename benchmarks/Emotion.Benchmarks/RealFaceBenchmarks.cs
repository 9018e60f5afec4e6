using BenchmarkDotNet.Attributes;
using Emotion.Core.IO;
using Emotion.FaceDetection;
using Emotion.Onnx;
using Emotion.Onnx.Export;
using Emotion.Torch.Pretrained;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Emotion.Core.Faces;

namespace Emotion.Benchmarks;

/// <summary>
/// Per-face latency of the default real-face model (<see cref="PretrainedModels.DefaultRealFace"/>) on a real photo (the
/// 512x512 astronaut of the asset cache, one face): BlazeFace detection alone (the baseline), the model alone on the face
/// crop (crop, resize, normalise, ONNX Runtime), and the whole path an app runs per photo: detect, then crop and predict
/// every face found. One operation is one face. Needs the asset cache (<c>./build.sh setup</c>).
/// </summary>
public class RealFaceBenchmarks
{
    private const int FacesPerInvoke = 16;

    private Image<Rgb24>? photo;
    private BlazeFaceDetector? detector;
    private EmotionPredictor? predictor;
    private FaceBox face;
    private string? onnxPath;

    /// <summary>Loads the photo, the detector and the exported default model; finds the face once.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string assets = AssetCache.DefaultDirectory;
        photo = Image.Load<Rgb24>(Path.Combine(assets, "astronaut.png"));
        detector = new BlazeFaceDetector(Path.Combine(assets, "blazeface_front_128.onnx"));
        onnxPath = Path.Combine(Path.GetTempPath(), $"emotion-bench-realface-{Guid.NewGuid():N}.onnx");
        using (var model = PretrainedModels.CreateModel(PretrainedModels.DefaultRealFace))
            OnnxExporter.Export(model, onnxPath);
        predictor = new EmotionPredictor(onnxPath, new EmotionPredictorOptions { ResizeFrames = true });
        var faces = detector.Detect(photo);
        if (faces.Count != 1) throw new InvalidOperationException($"Expected one face in astronaut.png, BlazeFace found {faces.Count}.");
        face = faces[0].Box.Expand(0.2f);
    }

    /// <summary>BlazeFace on the whole photo.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = FacesPerInvoke)]
    public int Detect()
    {
        int found = 0;
        for (int i = 0; i < FacesPerInvoke; i++) found += detector!.Detect(photo!).Count;
        return found;
    }

    /// <summary>The model on the known face box: crop, resize to 112, normalise, run.</summary>
    [Benchmark(OperationsPerInvoke = FacesPerInvoke)]
    public float CropAndPredict()
    {
        float sum = 0;
        for (int i = 0; i < FacesPerInvoke; i++) sum += predictor!.Predict(photo!, face).Valence ?? 0;
        return sum;
    }

    /// <summary>Detection, then crop and prediction of every face found (what an app does per photo).</summary>
    [Benchmark(OperationsPerInvoke = FacesPerInvoke)]
    public float DetectCropAndPredict()
    {
        float sum = 0;
        for (int i = 0; i < FacesPerInvoke; i++)
            foreach (var found in detector!.Detect(photo!))
                sum += predictor!.Predict(photo!, found.Box.Expand(0.2f)).Valence ?? 0;
        return sum;
    }

    /// <summary>Releases the models and the exported file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        predictor?.Dispose();
        detector?.Dispose();
        photo?.Dispose();
        if (onnxPath is not null) File.Delete(onnxPath);
    }
}
