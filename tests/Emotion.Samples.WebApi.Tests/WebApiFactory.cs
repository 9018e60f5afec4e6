using Emotion.Onnx.Export;
using Emotion.Testing;
using Emotion.Torch.Pretrained;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Emotion.Samples.WebApi.Tests;

/// <summary>
/// The web app in memory (or on a loopback Kestrel port for the browser test), serving the default real-face model
/// exported to ONNX as <c>emotion export --model mini-xception-fer2013</c> does, with BlazeFace from the asset cache.
/// </summary>
public class WebApiFactory : WebApplicationFactory<Program>
{
    private static readonly Lazy<string> Exported = new(Export);
    private readonly IReadOnlyDictionary<string, string> settings;

    /// <summary>Creates the factory; <paramref name="settings"/> are configuration keys such as <c>WebApi:MaxRequestBytes</c>.</summary>
    internal WebApiFactory(IReadOnlyDictionary<string, string> settings) => this.settings = settings;

    /// <summary>Creates the factory with the default settings (as an xUnit class fixture).</summary>
    public WebApiFactory() : this(new Dictionary<string, string>())
    {
    }

    /// <summary>The ONNX model the app serves: the default real-face model, exported once per test run.</summary>
    public static string ModelPath => Exported.Value;

    /// <summary>The BlazeFace detector in the asset cache.</summary>
    public static string DetectorPath => TestAssets.Path("blazeface_front_128.onnx");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("EmotionRecognition:ModelPath", ModelPath);
        builder.UseSetting("EmotionRecognition:FaceDetectorPath", DetectorPath);
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
    }

    private static string Export()
    {
        string path = Path.Combine(Path.GetTempPath(), $"emotion-webapi-tests-{Environment.ProcessId}-{PretrainedModels.DefaultRealFace}.onnx");
        using (var model = PretrainedModels.CreateModel(PretrainedModels.DefaultRealFace))
            OnnxExporter.Export(model, path);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => File.Delete(path);
        return path;
    }
}
