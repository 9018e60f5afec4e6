namespace Emotion.Cli;

/// <summary>A command was given arguments that do not fit together; reported with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
