using static TorchSharp.torch;

namespace Emotion.Torch.Weights;

/// <summary>An entry present in both the file and the module with another shape or element type.</summary>
/// <param name="Key">The module's name for the entry.</param>
/// <param name="SourceKey">The file's name for it (differs from <paramref name="Key"/> when a key map renamed it).</param>
/// <param name="ExpectedType">The module tensor's element type.</param>
/// <param name="ExpectedShape">The module tensor's shape.</param>
/// <param name="FoundType">The file tensor's element type.</param>
/// <param name="FoundShape">The file tensor's shape.</param>
public sealed record WeightsShapeMismatch(string Key, string SourceKey, ScalarType ExpectedType, IReadOnlyList<long> ExpectedShape, ScalarType FoundType, IReadOnlyList<long> FoundShape)
{
    /// <summary>As <c>fc.0.weight: expected Float32 [4096, 4608], file has Float32 [4096, 25088] (file key 'fc6.weight')</c>.</summary>
    public override string ToString() =>
        $"{Key}: expected {ExpectedType} [{string.Join(", ", ExpectedShape)}], file has {FoundType} [{string.Join(", ", FoundShape)}]" +
        (SourceKey == Key ? "" : $" (file key '{SourceKey}')");
}
