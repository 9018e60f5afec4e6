using BenchmarkDotNet.Attributes;
using Emotion.Core.IO;
using Emotion.FaceDetection;
using Emotion.Onnx;
using Emotion.Onnx.Export;
using Emotion.Torch.Pretrained;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Emotion.Core.Faces;

namespace Emotion.Benchmarks;

/// <summary>
/// Per-face latency of the default real-face model (<see cref="PretrainedModels.DefaultRealFace"/>) on a real photo (the
/// 512x512 astronaut of the asset cache, one face): BlazeFace detection alone (the baseline), the model alone on the face
/// crop (crop, resize, normalise, ONNX Runtime), and the whole path an app runs per photo: detect, then crop and predict
/// every face found. One operation is one face. Needs the asset cache (<c>./build.sh setup</c>).
/// The two <c>FourFaces</c> cases predict the four faces of a group photo (four copies of the astronaut's head side by
/// side, every other one mirrored) one <c>Predict</c> call per face, as the web service did, and in one batched
/// <c>PredictFaces</c> call, as it does now.
/// </summary>
public class RealFaceBenchmarks
{
    private const int FacesPerInvoke = 16;

    private Image<Rgb24>? photo;
    private BlazeFaceDetector? detector;
    private EmotionPredictor? predictor;
    private FaceBox face;
    private Image<Rgb24>? group;
    private FaceBox[] groupFaces = [];
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
        // The group photo: the head and shoulders (190x200 from x 130, y 30) four times, every other one mirrored.
        using var head = photo.Clone(c => c.Crop(new Rectangle(130, 30, 190, 200)));
        using var mirrored = head.Clone(c => c.Flip(FlipMode.Horizontal));
        group = new Image<Rgb24>(4 * 190, 200);
        groupFaces = new FaceBox[4];
        var box = faces[0].Box;
        for (int i = 0; i < 4; i++)
        {
            var copy = i % 2 == 0 ? head : mirrored;
            group.Mutate(c => c.DrawImage(copy, new Point(i * 190, 0), 1f));
            float x = i % 2 == 0 ? box.X - 130 : 190 - (box.X - 130) - box.Width;
            groupFaces[i] = new FaceBox(i * 190 + x, box.Y - 30, box.Width, box.Height).Expand(0.2f);
        }
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

    /// <summary>The four faces of the group photo, one <c>Predict</c> call (one ONNX Runtime run) per face.</summary>
    [Benchmark(OperationsPerInvoke = FacesPerInvoke)]
    public float FourFacesOneByOne()
    {
        float sum = 0;
        for (int i = 0; i < FacesPerInvoke / 4; i++)
            foreach (var box in groupFaces) sum += predictor!.Predict(group!, box).Valence ?? 0;
        return sum;
    }

    /// <summary>The four faces of the group photo in one <c>PredictFaces</c> call (one ONNX Runtime run).</summary>
    [Benchmark(OperationsPerInvoke = FacesPerInvoke)]
    public float FourFacesBatched()
    {
        float sum = 0;
        for (int i = 0; i < FacesPerInvoke / 4; i++)
            foreach (var p in predictor!.PredictFaces(group!, groupFaces)) sum += p.Valence ?? 0;
        return sum;
    }

    /// <summary>Releases the models and the exported file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        predictor?.Dispose();
        detector?.Dispose();
        photo?.Dispose();
        group?.Dispose();
        if (onnxPath is not null) File.Delete(onnxPath);
    }
}
