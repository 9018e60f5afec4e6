using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Emotion.Benchmarks;

/// <summary>
/// The baseline: the same CNN + RNN + output layers as the library's model, written directly in TorchSharp with no
/// Emotion.* code — the small CNN (4 x Conv 3x3 stride 2 + BatchNorm + ReLU, 16-32-64-128 channels, average pooling) or
/// TorchVision's network minus its classifier; then <c>nn.GRU</c>, <c>nn.LSTM</c> or nothing; then two linear layers.
/// </summary>
public sealed class PlainTorchSharpModel : Module<Tensor, (Tensor Logits, Tensor ValenceArousal)>
{
    private readonly Sequential cnn;
    private readonly GRU? gru;
    private readonly LSTM? lstm;
    private readonly Linear classifier;
    private readonly Linear regressor;
    private readonly int featureWidth;

    /// <summary>Creates the model for a backbone name (small_cnn, resnet18, mobilenet_v3_small) and a head (gru, lstm, none).</summary>
    public PlainTorchSharpModel(string backbone, string head, int hidden = 128) : base("plain")
    {
        (cnn, featureWidth) = backbone switch
        {
            "small_cnn" => (SmallCnn(), 128),
            "resnet18" => (WithoutClassifier(torchvision.models.resnet18()), 512),
            "mobilenet_v3_small" => (WithoutClassifier(torchvision.models.mobilenet_v3_small()), 576),
            _ => throw new ArgumentOutOfRangeException(nameof(backbone), backbone, "Plain baselines exist for small_cnn, resnet18 and mobilenet_v3_small."),
        };
        int outWidth = featureWidth;
        switch (head)
        {
            case "gru": gru = GRU(featureWidth, hidden, batchFirst: true); outWidth = hidden; break;
            case "lstm": lstm = LSTM(featureWidth, hidden, batchFirst: true); outWidth = hidden; break;
            case "none": break;
            default: throw new ArgumentOutOfRangeException(nameof(head), head, "Expected gru, lstm or none.");
        }
        classifier = Linear(outWidth, 7);
        regressor = Linear(outWidth, 2);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override (Tensor Logits, Tensor ValenceArousal) forward(Tensor frames)
    {
        var (logits, va, _, _) = Step(frames, null, null);
        return (logits, va);
    }

    /// <summary>Runs <c>[B, T, 3, H, W]</c> frames from the given recurrent state (null: zeros) and returns the new state.</summary>
    public (Tensor Logits, Tensor ValenceArousal, Tensor? Hidden, Tensor? Cell) Step(Tensor frames, Tensor? hidden, Tensor? cell)
    {
        long b = frames.shape[0], t = frames.shape[1];
        using var flat = frames.view(b * t, 3, frames.shape[3], frames.shape[4]);
        var x = cnn.call(flat).view(b, t, featureWidth);
        Tensor? h = null, c = null;
        if (gru is not null) (x, h) = gru.call(x, hidden);
        else if (lstm is not null) (x, h, c) = lstm.call(x, hidden is null ? null : (hidden, cell!));
        return (classifier.call(x), regressor.call(x).tanh(), h, c);
    }

    private static Sequential SmallCnn()
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        for (int i = 0, input = 3; i < 4; input = 16 << i, i++)
            layers.Add(($"block{i + 1}", Sequential(Conv2d(input, 16 << i, 3, stride: 2, padding: 1, bias: false), BatchNorm2d(16 << i), ReLU(inplace: true))));
        layers.Add(("pool", AdaptiveAvgPool2d(1)));
        layers.Add(("flatten", Flatten()));
        return Sequential(layers);
    }

    private static Sequential WithoutClassifier(Module network)
    {
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        foreach (var (name, child) in network.named_children())
            if (name is not ("fc" or "classifier")) layers.Add((name, (Module<Tensor, Tensor>)child));
        layers.Add(("flatten", Flatten()));
        return Sequential(layers);
    }
}
