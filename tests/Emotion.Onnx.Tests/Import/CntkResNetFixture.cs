using Emotion.Testing;
using Emotion.Torch.Backbones;
using Emotion.Torch.Import;
using Emotion.Torch.Weights;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Onnx.Tests.Import;

/// <summary>
/// ML.NET's ResNet-18 (ResNet18.onnx, ResNetPreprocess.onnx from the asset cache) in ONNX Runtime, the same weights
/// converted into the library's Cntk ResNet-18 backbone, and three real face crops at 224 x 224.
/// </summary>
public sealed class CntkResNetFixture : IDisposable
{
    public const int Size = 224;

    /// <summary>Face regions (x, y, side) in the asset photos: Eileen Collins, Grace Hopper, the cameraman (grey, as RGB).</summary>
    public static readonly (string Image, int X, int Y, int Side)[] Faces =
    [
        ("astronaut.png", 165, 65, 120),
        ("grace_hopper.jpg", 165, 135, 210),
        ("camera.png", 150, 75, 120),
    ];

    public CntkResNetFixture()
    {
        ModelPath = TestAssets.Path("ResNet18.onnx");
        PreprocessPath = TestAssets.Path("ResNetPreprocess.onnx");
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        Network = new InferenceSession(ModelPath, options);
        Preprocess = new InferenceSession(PreprocessPath, options);
        Backbone = new ResNetBackbone(18, Size, ResNetVariant.Cntk);
        Load = CntkResNetWeights.LoadInto(Backbone, ModelPath, PreprocessPath);
        Backbone.eval();
        Crops = Faces.Select(f => Crop(f.Image, f.X, f.Y, f.Side)).ToArray();
    }

    public string ModelPath { get; }
    public string PreprocessPath { get; }
    public InferenceSession Network { get; }
    public InferenceSession Preprocess { get; }
    public ResNetBackbone Backbone { get; }
    public WeightsLoadResult Load { get; }

    /// <summary>Each face crop as planar RGB pixels in [0, 255], <c>[1, 3, 224, 224]</c>, as ML.NET's ExtractPixels gives them.</summary>
    public float[][] Crops { get; }

    public static float[] Crop(string image, int x, int y, int side)
    {
        using var img = Image.Load<Rgb24>(TestAssets.Path(image));
        img.Mutate(c => c.Crop(new Rectangle(x, y, side, side)).Resize(Size, Size));
        var planar = new float[3 * Size * Size];
        img.ProcessPixelRows(rows =>
        {
            for (int r = 0; r < Size; r++)
            {
                var row = rows.GetRowSpan(r);
                for (int c = 0; c < Size; c++)
                {
                    planar[r * Size + c] = row[c].R;
                    planar[Size * Size + r * Size + c] = row[c].G;
                    planar[2 * Size * Size + r * Size + c] = row[c].B;
                }
            }
        });
        return planar;
    }

    /// <summary>Runs a one-input, one-output session on <c>[1, 3, 224, 224]</c>.</summary>
    public static float[] Run(InferenceSession session, float[] input)
    {
        string name = session.InputMetadata.Keys.Single();
        var value = NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(input, [1, 3, Size, Size]));
        using var results = session.Run([value]);
        return results.Single().AsTensor<float>().ToArray();
    }

    public void Dispose()
    {
        Network.Dispose();
        Preprocess.Dispose();
        Backbone.Dispose();
    }
}
