using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using CsvHelper;
using Emotion.Core;
using Emotion.Core.IO;

namespace Emotion.Torch.Training;

/// <summary>
/// The per-epoch records of a run, written to <c>history.json</c> (the records with their full validation reports) and
/// <c>history.csv</c> (one row per epoch, flat columns for plotting) in the output directory after every epoch.
/// </summary>
public sealed record TrainingHistory
{
    /// <summary>The JSON file name.</summary>
    public const string JsonFileName = "history.json";

    /// <summary>The CSV file name.</summary>
    public const string CsvFileName = "history.csv";

    /// <summary>The records, one per epoch, in order.</summary>
    public ImmutableArray<EpochRecord> Epochs { get; init; } = [];

    /// <summary>This history with one more record.</summary>
    public TrainingHistory Add(EpochRecord record) => this with { Epochs = Epochs.Add(record) };

    /// <summary>Serialises to JSON with <see cref="EmotionModelInfo.JsonOptions"/>.</summary>
    public string ToJson() => EmotionJson.Serialize(this);

    /// <summary>Parses JSON written by <see cref="ToJson"/>.</summary>
    /// <exception cref="FormatException">The text is not a training history.</exception>
    public static TrainingHistory FromJson(string json)
        => EmotionJson.Deserialize<TrainingHistory>(json, "training history");

    /// <summary>
    /// The CSV columns: <c>epoch, global_step, learning_rate, train_loss, train_&lt;term&gt;..., val_loss, val_&lt;term&gt;...,
    /// accuracy, macro_f1, ccc_valence, ccc_arousal, ccc_mean, monitor, monitor_value, is_best, seconds, frames_per_second</c>;
    /// a value that does not exist (no validation, a task without that output) is an empty field.
    /// </summary>
    public string ToCsv()
    {
        var terms = Epochs.SelectMany(e => e.TrainLossTerms.Keys.Concat(e.ValidationLossTerms.Keys)).Distinct().Order(StringComparer.Ordinal).ToArray();
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text, CsvDialect.WriterOptions, leaveOpen: true))
        {
            foreach (var h in new[] { "epoch", "global_step", "learning_rate", "train_loss" }) csv.WriteField(h);
            foreach (var t in terms) csv.WriteField("train_" + t);
            csv.WriteField("val_loss");
            foreach (var t in terms) csv.WriteField("val_" + t);
            foreach (var h in new[] { "accuracy", "macro_f1", "ccc_valence", "ccc_arousal", "ccc_mean", "monitor", "monitor_value", "is_best", "seconds", "frames_per_second" })
                csv.WriteField(h);
            csv.EndRecord();
            foreach (var e in Epochs)
            {
                csv.WriteField(e.Epoch.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(e.GlobalStep.ToString(CultureInfo.InvariantCulture));
                csv.WriteField(Number(e.LearningRate));
                csv.WriteField(Number(e.TrainLoss));
                foreach (var t in terms) csv.WriteField(Number(e.TrainLossTerms.TryGetValue(t, out var v) ? v : null));
                csv.WriteField(Number(e.ValidationLoss));
                foreach (var t in terms) csv.WriteField(Number(e.ValidationLossTerms.TryGetValue(t, out var v) ? v : null));
                csv.WriteField(Number(e.Validation?.Accuracy));
                csv.WriteField(Number(e.Validation?.MacroF1));
                csv.WriteField(Number(e.Validation?.CccValence));
                csv.WriteField(Number(e.Validation?.CccArousal));
                csv.WriteField(Number(e.Validation?.AbawVaScore));
                csv.WriteField(e.Monitor);
                csv.WriteField(Number(e.MonitorValue));
                csv.WriteField(e.IsBest ? "true" : "false");
                csv.WriteField(Number(e.Seconds));
                csv.WriteField(Number(e.FramesPerSecond));
                csv.EndRecord();
            }
        }
        return text.ToString();
    }

    /// <summary>Writes <see cref="JsonFileName"/> and <see cref="CsvFileName"/> into <paramref name="directory"/>, each atomically.</summary>
    public void Write(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, JsonFileName), ToJson());
        AtomicFile.WriteAllText(Path.Combine(directory, CsvFileName), ToCsv());
    }

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;
}
