using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Emotion.Benchmarks;

/// <summary>
/// The baseline: the same CNN + RNN + output layers as the library's model, written directly in TorchSharp with no
/// Emotion.* code (TorchVision's network minus its classifier, a GRU/LSTM or nothing, two linear layers).
/// </summary>
public sealed class PlainTorchSharpModel : Module<Tensor, (Tensor Logits, Tensor ValenceArousal)>
{
    private readonly Sequential cnn;
    private readonly Module<Tensor, Tensor>? gru;
    private readonly LSTM? lstm;
    private readonly Linear classifier;
    private readonly Linear regressor;
    private readonly int featureWidth;

    /// <summary>Creates the model for a TorchVision backbone name (resnet18, mobilenet_v3_small) and a head (gru, lstm, none).</summary>
    public PlainTorchSharpModel(string backbone, string head, int hidden = 128) : base("plain")
    {
        Module network = backbone switch
        {
            "resnet18" => torchvision.models.resnet18(),
            "mobilenet_v3_small" => torchvision.models.mobilenet_v3_small(),
            _ => throw new ArgumentOutOfRangeException(nameof(backbone), backbone, "Plain baselines exist for resnet18 and mobilenet_v3_small."),
        };
        var layers = new List<(string, Module<Tensor, Tensor>)>();
        foreach (var (name, child) in network.named_children())
            if (name is not ("fc" or "classifier")) layers.Add((name, (Module<Tensor, Tensor>)child));
        layers.Add(("flatten", Flatten()));
        cnn = Sequential(layers);
        featureWidth = backbone == "resnet18" ? 512 : 576;
        int outWidth = featureWidth;
        if (head == "gru") { gru = new GruAdapter(featureWidth, hidden); outWidth = hidden; }
        else if (head == "lstm") { lstm = LSTM(featureWidth, hidden, batchFirst: true); outWidth = hidden; }
        classifier = Linear(outWidth, 7);
        regressor = Linear(outWidth, 2);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override (Tensor Logits, Tensor ValenceArousal) forward(Tensor frames)
    {
        long b = frames.shape[0], t = frames.shape[1];
        using var flat = frames.view(b * t, 3, frames.shape[3], frames.shape[4]);
        var x = cnn.call(flat).view(b, t, featureWidth);
        if (gru is not null) x = gru.call(x);
        else if (lstm is not null) x = lstm.call(x).Item1;
        return (classifier.call(x), regressor.call(x).tanh());
    }

    private sealed class GruAdapter : Module<Tensor, Tensor>
    {
        private readonly GRU gru;

        public GruAdapter(int input, int hidden) : base("gru")
        {
            gru = GRU(input, hidden, batchFirst: true);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => gru.call(x).Item1;
    }
}
