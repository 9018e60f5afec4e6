using System.CommandLine;
using Emotion.Cli.Commands;

namespace Emotion.Cli;

/// <summary>
/// The <c>emotion</c> command line: builds the command tree and maps outcomes to exit codes
/// (0 success, 1 failure, 2 usage error).
/// </summary>
public static class EmotionCli
{
    /// <summary>Exit code for success.</summary>
    public const int Success = 0;

    /// <summary>Exit code for a failure while running a valid command (bad data, missing file, ...).</summary>
    public const int Failure = 1;

    /// <summary>Exit code for a usage error (unknown command or option, missing or malformed argument).</summary>
    public const int UsageError = 2;

    /// <summary>Creates the root command with every sub-command.</summary>
    public static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("Emotion recognition from face video: train CNN + RNN models, evaluate, explain, export to ONNX and predict.");
        foreach (var command in CommandCatalog.All())
            root.Add(command);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given writers (the console by default).</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        output ??= Console.Out;
        error ??= Console.Error;
        var root = CreateRootCommand();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
                error.WriteLine($"error: {e.Message}");
            error.WriteLine($"Run 'emotion {string.Join(' ', CommandPath(parse))} --help' for usage.".Replace("  ", " "));
            return UsageError;
        }

        // ProcessTerminationTimeout = null: System.CommandLine's own SIGINT/SIGTERM handler races with commands that finish after
        // its timeout; the process's signals cancel cancellationToken instead (Terminal.TerminationSignals, Program.cs).
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        try
        {
            return await parse.InvokeAsync(config, cancellationToken);
        }
        catch (UsageException e)
        {
            error.WriteLine($"error: {e.Message}");
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled");
            return Failure;
        }
        catch (Exception e) when (IsUserFacing(e))
        {
            error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (Exception e)
        {
            error.WriteLine($"error: unexpected failure, please report it with this trace: {e}");
            return Failure;
        }
    }

    private static IEnumerable<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
            names.Push(result.Command.Name);
        return names;
    }

    private static bool IsUserFacing(Exception e) => e is IOException or UnauthorizedAccessException or FormatException
        or InvalidDataException or ArgumentException or InvalidOperationException or NotSupportedException
        or System.Text.Json.JsonException or CommandFailedException;
}
