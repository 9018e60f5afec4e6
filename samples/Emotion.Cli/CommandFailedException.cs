namespace Emotion.Cli;

/// <summary>A command could not complete; its message is shown to the user and the exit code is 1.</summary>
public sealed class CommandFailedException(string message, Exception? inner = null) : Exception(message, inner);
