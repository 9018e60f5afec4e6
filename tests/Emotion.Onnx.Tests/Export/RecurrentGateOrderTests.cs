using Emotion.Onnx.Export.Emitters;
using Emotion.Onnx.Export.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Onnx.Tests.Export;

/// <summary>
/// One-unit GRU and LSTM with a distinct weight per gate, checked against the textbook (PyTorch) equations computed by hand
/// here, so that a swapped gate (r/z in the GRU, f/o/g in the LSTM) or a wrong reset placement fails.
/// </summary>
public sealed class RecurrentGateOrderTests
{
    private static readonly float[] Xs = [1f, -2f, 0.5f];
    private const float H0 = 0.5f, C0 = -0.3f;

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    private static void SetParameters(nn.Module rnn, float[] wi, float[] wh, float[] bi, float[] bh)
    {
        using var _ = no_grad();
        foreach (var (name, p) in rnn.named_parameters())
        {
            var values = name switch
            {
                "weight_ih_l0" => wi,
                "weight_hh_l0" => wh,
                "bias_ih_l0" => bi,
                "bias_hh_l0" => bh,
                _ => throw new InvalidOperationException(name),
            };
            p.copy_(tensor(values).reshape(p.shape));
        }
    }

    /// <summary>Exports only the recurrence: X [T, 1, 1] and h0 (and c0) in, Y [1, T, 1] and the final state out.</summary>
    private static Dictionary<string, FloatTensor> RunOnnx(nn.Module rnn, bool lstm)
    {
        var g = new OnnxGraphBuilder("rnn");
        var e = new OnnxModuleEmitter(g);
        string x = g.AddInput("x", ["time", 1, 1]);
        string h = g.AddInput("h0", [1, 1, 1]);
        string? c = lstm ? g.AddInput("c0", [1, 1, 1]) : null;
        var result = RecurrentEmitter.Emit(e, rnn, x, h, c, "hn", "cn", "rnn");
        g.AddNode("Identity", [result.Output], "y");
        g.AddOutput("y", [1, "time", 1]);
        g.AddOutput(result.HiddenOut, [1, 1, 1]);
        if (lstm) g.AddOutput(result.CellOut!, [1, 1, 1]);
        using var session = OrtHelper.Session(g.Build());
        var inputs = new List<(string, FloatTensor)> { ("x", new FloatTensor(Xs, [Xs.Length, 1, 1])), ("h0", new FloatTensor([H0], [1, 1, 1])) };
        if (lstm) inputs.Add(("c0", new FloatTensor([C0], [1, 1, 1])));
        return OrtHelper.Run(session, [.. inputs]);
    }

    [Fact]
    public void GruGatesFollowPytorchOrderAndResetAfterTheHiddenProduct()
    {
        // PyTorch order (r, z, n).
        float[] wi = [0.9f, -0.6f, 1.3f], wh = [0.4f, 0.8f, -1.1f], bi = [0.1f, -0.2f, 0.3f], bh = [-0.25f, 0.35f, 0.6f];
        var expected = new List<double>();
        double h = H0;
        foreach (float x in Xs)
        {
            double r = Sigmoid(wi[0] * x + bi[0] + wh[0] * h + bh[0]);
            double z = Sigmoid(wi[1] * x + bi[1] + wh[1] * h + bh[1]);
            double n = Math.Tanh(wi[2] * x + bi[2] + r * (wh[2] * h + bh[2]));
            h = (1 - z) * n + z * h;
            expected.Add(h);
        }

        using var gru = nn.GRU(1, 1);
        SetParameters(gru, wi, wh, bi, bh);
        using var torchOut = gru.call(tensor(Xs).reshape(Xs.Length, 1, 1), tensor(new[] { H0 }).reshape(1, 1, 1)).Item1;
        var torchValues = torchOut.data<float>().ToArray();
        var onnx = RunOnnx(gru, lstm: false);
        for (int t = 0; t < Xs.Length; t++)
        {
            Assert.Equal(expected[t], torchValues[t], 5); // the hand equations are PyTorch's
            Assert.Equal(expected[t], onnx["y"].Data[t], 5);
        }
        Assert.Equal(expected[^1], onnx["hn"].Data[0], 5);
    }

    [Fact]
    public void LstmGatesFollowPytorchOrder()
    {
        // PyTorch order (i, f, g, o).
        float[] wi = [0.7f, -0.9f, 1.2f, 0.3f], wh = [-0.5f, 0.6f, 0.9f, -1.4f], bi = [0.2f, 0.4f, -0.1f, 0.05f], bh = [0.1f, -0.3f, 0.25f, 0.5f];
        var expected = new List<double>();
        double h = H0, c = C0;
        foreach (float x in Xs)
        {
            double i = Sigmoid(wi[0] * x + bi[0] + wh[0] * h + bh[0]);
            double f = Sigmoid(wi[1] * x + bi[1] + wh[1] * h + bh[1]);
            double gg = Math.Tanh(wi[2] * x + bi[2] + wh[2] * h + bh[2]);
            double o = Sigmoid(wi[3] * x + bi[3] + wh[3] * h + bh[3]);
            c = f * c + i * gg;
            h = o * Math.Tanh(c);
            expected.Add(h);
        }

        using var lstm = nn.LSTM(1, 1);
        SetParameters(lstm, wi, wh, bi, bh);
        var (y, _, _) = lstm.call(tensor(Xs).reshape(Xs.Length, 1, 1), (tensor(new[] { H0 }).reshape(1, 1, 1), tensor(new[] { C0 }).reshape(1, 1, 1)));
        var torchValues = y.data<float>().ToArray();
        var onnx = RunOnnx(lstm, lstm: true);
        for (int t = 0; t < Xs.Length; t++)
        {
            Assert.Equal(expected[t], torchValues[t], 5);
            Assert.Equal(expected[t], onnx["y"].Data[t], 5);
        }
        Assert.Equal(expected[^1], onnx["hn"].Data[0], 5);
        Assert.Equal(c, onnx["cn"].Data[0], 5);
    }
}
