using System.CommandLine;

namespace Emotion.Cli.Commands;

/// <summary>Every sub-command of the <c>emotion</c> tool.</summary>
public static class CommandCatalog
{
    /// <summary>Creates the sub-commands in the order <c>--help</c> lists them.</summary>
    public static IEnumerable<Command> All() =>
    [
        DemoCommand.Create(),
        TrainCommand.Create(),
        EvaluateCommand.Create(),
        PredictCommand.Create(),
        ExportCommand.Create(),
        ExplainCommand.Create(),
        BenchmarkCommand.Create(),
    ];
}
