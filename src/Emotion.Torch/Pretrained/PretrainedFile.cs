namespace Emotion.Torch.Pretrained;

/// <summary>One file of a pretrained model as its source package ships it.</summary>
/// <param name="FileName">The file's name in the asset cache (or in a folder the user gives).</param>
/// <param name="PackagePath">Where the file lies inside its source package.</param>
/// <param name="Sha256">The SHA-256 of the file, lower-case hex; a file with another hash is refused.</param>
public sealed record PretrainedFile(string FileName, string PackagePath, string Sha256);
