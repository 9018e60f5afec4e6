using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Backbones;

/// <summary>Takes the children of a TorchVision network so that a backbone can re-register them under the same names.</summary>
internal static class TorchVisionParts
{
    /// <summary>
    /// Returns the network's children in order, except those named in <paramref name="drop"/>, which are disposed.
    /// The container itself is not disposed (that would dispose the children taken over); it holds no tensors of its own.
    /// </summary>
    public static List<(string Name, nn.Module<Tensor, Tensor> Module)> Take(nn.Module network, params string[] drop)
    {
        var kept = new List<(string, nn.Module<Tensor, Tensor>)>();
        foreach (var (name, child) in network.named_children())
        {
            if (Array.IndexOf(drop, name) >= 0)
            {
                child.Dispose();
                continue;
            }
            kept.Add((name, (nn.Module<Tensor, Tensor>)child));
        }
        return kept;
    }

    /// <summary>
    /// A Sequential of the first <paramref name="count"/> children of <paramref name="sequential"/> (same names, 0 ..
    /// count - 1); the other children are disposed. Returns <paramref name="sequential"/> itself when it has exactly that many.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">It has fewer children.</exception>
    public static nn.Module<Tensor, Tensor> KeepFirst(nn.Module<Tensor, Tensor> sequential, int count)
    {
        var children = sequential.named_children().ToList();
        if (count > children.Count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The module has only {children.Count} children.");
        if (count == children.Count) return sequential;
        foreach (var (_, extra) in children.Skip(count)) extra.Dispose();
        return nn.Sequential(children.Take(count).Select(c => (c.name, (nn.Module<Tensor, Tensor>)c.module)).ToArray());
    }
}
