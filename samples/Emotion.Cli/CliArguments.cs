namespace Emotion.Cli;

/// <summary>Validation of parsed argument values that System.CommandLine cannot express; failures are usage errors (exit 2).</summary>
public static class CliArguments
{
    /// <summary>Returns <paramref name="value"/> when it is positive.</summary>
    /// <exception cref="UsageException">The value is zero or negative.</exception>
    public static int Positive(int value, string option) =>
        value > 0 ? value : throw new UsageException($"{option} must be a positive number; got {value}.");

    /// <summary>Returns the path when the file exists.</summary>
    /// <exception cref="UsageException">The file does not exist.</exception>
    public static string ExistingFile(FileSystemInfo? path, string option) =>
        path is not null && File.Exists(path.FullName) ? path.FullName
            : throw new UsageException($"{option}: file '{path?.FullName}' does not exist.");

    /// <summary>Returns the path when the file or directory exists.</summary>
    /// <exception cref="UsageException">Nothing exists at the path.</exception>
    public static string ExistingPath(FileSystemInfo? path, string option) =>
        path is not null && (File.Exists(path.FullName) || Directory.Exists(path.FullName)) ? path.FullName
            : throw new UsageException($"{option}: '{path?.FullName}' does not exist.");
}
