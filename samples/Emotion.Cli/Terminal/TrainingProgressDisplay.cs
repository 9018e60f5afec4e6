using System.Globalization;
using Emotion.Torch.Training;
using Spectre.Console;

namespace Emotion.Cli.Terminal;

/// <summary>
/// Shows training progress: a live bar per epoch (loss, frames/s, ETA) on an interactive terminal, one line per epoch
/// (with the validation metrics) otherwise.
/// </summary>
public sealed class TrainingProgressDisplay : IProgress<TrainingProgress>
{
    private readonly ConsoleUi _ui;
    private readonly string _label;
    private ProgressContext? _context;
    private ProgressTask? _task;
    private int _taskEpoch = -1;

    private TrainingProgressDisplay(ConsoleUi ui, string label)
    {
        _ui = ui;
        _label = label;
    }

    /// <summary>Runs <paramref name="work"/> with a display labelled <paramref name="label"/> and returns its result.</summary>
    public static T Run<T>(ConsoleUi ui, string label, Func<IProgress<TrainingProgress>, T> work)
    {
        var display = new TrainingProgressDisplay(ui, label);
        if (!ui.Console.Profile.Capabilities.Interactive)
            return work(display);
        return ui.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(ctx =>
            {
                display._context = ctx;
                return work(display);
            });
    }

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        switch (value.Phase)
        {
            case TrainingPhase.Step when _context is not null:
                if (_taskEpoch != value.Epoch)
                {
                    _task?.StopTask();
                    _task = _context.AddTask(Describe(value), maxValue: value.StepsPerEpoch ?? 1);
                    _taskEpoch = value.Epoch;
                }
                _task!.Description = Describe(value);
                _task.Value = value.Step;
                break;
            case TrainingPhase.EpochCompleted when value.EpochRecord is { } record:
                if (_task is not null) { _task.Value = _task.MaxValue; _task.StopTask(); }
                if (_context is null) _ui.Line(EpochLine(record));
                else _task!.Description = Markup.Escape(EpochLine(record));
                break;
        }
    }

    private string Describe(TrainingProgress p) => Markup.Escape(string.Create(CultureInfo.InvariantCulture,
        $"{_label} epoch {p.Epoch}/{p.Epochs} loss {p.AverageLoss:0.000} {p.FramesPerSecond:0} frames/s"));

    private string EpochLine(EpochRecord r)
    {
        var parts = new List<string>
        {
            string.Create(CultureInfo.InvariantCulture, $"{_label} epoch {r.Epoch}: train loss {r.TrainLoss:0.000} ({r.FramesPerSecond:0} frames/s, {r.Seconds:0.0} s)"),
        };
        if (r.ValidationLoss is { } vl) parts.Add(string.Create(CultureInfo.InvariantCulture, $"val loss {vl:0.000}"));
        if (r.Validation is { } m)
        {
            if (m.MacroF1 is { } f1) parts.Add(string.Create(CultureInfo.InvariantCulture, $"F1 {f1:0.000} acc {m.Accuracy:0.000}"));
            if (m.CccValence is { } cv) parts.Add(string.Create(CultureInfo.InvariantCulture, $"CCC v {cv:0.000} a {m.CccArousal:0.000}"));
        }
        if (r.IsBest) parts.Add("*best*");
        return string.Join(", ", parts);
    }
}
