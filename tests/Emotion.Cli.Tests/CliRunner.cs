namespace Emotion.Cli.Tests;

/// <summary>The outcome of one <c>emotion</c> invocation.</summary>
public sealed record CliResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>Runs the CLI in-process with captured output.</summary>
public static class CliRunner
{
    public static CliResult Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = EmotionCli.RunAsync(args, output, error).GetAwaiter().GetResult();
        return new CliResult(code, output.ToString(), error.ToString());
    }
}
