using System.Text;
using Emotion.Core.IO;
using Emotion.Torch.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Emotion.Torch.Training;

/// <summary>
/// Training checkpoints: a folder holding a saved model (<see cref="EmotionModel.Save"/>: <c>model.json</c> with the
/// architecture and <c>weights.dat</c>), the optimizer's state (<c>optimizer.dat</c>, TorchSharp's optimizer state
/// dictionary) and the run's <see cref="TrainingState"/> (<c>training.json</c>). <see cref="EmotionModel.Load"/> opens a
/// checkpoint folder like any saved model, so it is loaded without re-stating the architecture.
/// </summary>
/// <remarks>
/// <para>Writes never lose the previous checkpoint: the new one is written completely into a hidden sibling folder
/// <c>.NAME.ID.tmp</c> (training.json last), then the old folder is renamed to <c>.NAME.ID.old</c>, the new one renamed to
/// <c>NAME</c>, and the old one deleted. A crash leaves either the old or the new folder complete; <see cref="Resolve"/>
/// (used by every load) finds it.</para>
/// </remarks>
public static class TrainingCheckpoint
{
    /// <summary>The training state's file name.</summary>
    public const string StateFileName = "training.json";

    /// <summary>The optimizer state's file name.</summary>
    public const string OptimizerFileName = "optimizer.dat";

    /// <summary>The best checkpoint's folder name in a run's output directory.</summary>
    public const string BestName = "best";

    /// <summary>The last checkpoint's folder name in a run's output directory.</summary>
    public const string LastName = "last";

    /// <summary>Writes a checkpoint folder atomically (see the remarks of <see cref="TrainingCheckpoint"/>).</summary>
    /// <param name="directory">The checkpoint folder (for example <c>OUT/best</c>).</param>
    /// <param name="model">The model (its options and weights).</param>
    /// <param name="state">The run's state.</param>
    /// <param name="optimizer">The optimizer whose state to save, or null.</param>
    /// <returns>The full path of the checkpoint folder.</returns>
    public static string Save(string directory, EmotionModel model, TrainingState state, OptimizerHelper? optimizer)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(state);
        var final = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        var parent = Path.GetDirectoryName(final)!;
        var name = Path.GetFileName(final);
        Directory.CreateDirectory(parent);
        string id = Guid.NewGuid().ToString("N");
        string temp = Path.Combine(parent, $".{name}.{id}.tmp");
        string old = Path.Combine(parent, $".{name}.{id}.old");
        try
        {
            Directory.CreateDirectory(temp);
            model.Save(temp);
            if (optimizer is not null)
            {
                AtomicFile.Write(Path.Combine(temp, OptimizerFileName), stream =>
                {
                    using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
                    optimizer.save_state_dict(writer);
                });
            }
            AtomicFile.WriteAllText(Path.Combine(temp, StateFileName),
                (state with { HasOptimizerState = optimizer is not null, SavedAt = DateTimeOffset.UtcNow }).ToJson());
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        if (Directory.Exists(final)) Directory.Move(final, old);
        Directory.Move(temp, final);
        TryDelete(old);
        foreach (var leftover in Leftovers(parent, name)) TryDelete(leftover);
        return final;
    }

    /// <summary>
    /// The complete checkpoint folder for <paramref name="path"/>: the folder itself (or the folder of a file in it) when it
    /// holds a training state; a run's output directory resolves to its <c>best</c> checkpoint (else <c>last</c>); otherwise a
    /// complete copy left by an interrupted write (newest first).
    /// </summary>
    /// <exception cref="FileNotFoundException">No checkpoint exists there.</exception>
    public static string Resolve(string path) =>
        TryResolve(path) ?? throw (Directory.Exists(path)
            ? new FileNotFoundException(
                $"'{path}' is not a training checkpoint: it lacks {StateFileName}, {EmotionModel.OptionsFileName} or {EmotionModel.WeightsFileName} (a saved model without training state can be opened with EmotionModel.Load).",
                Path.Combine(Path.GetFullPath(path), StateFileName))
            : new FileNotFoundException($"Training checkpoint '{path}' does not exist.", Path.GetFullPath(path)));

    /// <summary>
    /// The checkpoint to continue a run from: like <see cref="Resolve"/>, except that a run's output directory resolves to its
    /// <c>last</c> checkpoint (else <c>best</c>), the newest state of the run.
    /// </summary>
    /// <exception cref="FileNotFoundException">No checkpoint exists there.</exception>
    public static string ResolveForResume(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        if (Directory.Exists(full) && !File.Exists(Path.Combine(full, StateFileName)) && !File.Exists(Path.Combine(full, EmotionModel.OptionsFileName))
            && TryResolveFolder(Path.Combine(full, LastName)) is { } last)
            return last;
        return Resolve(path);
    }

    private static string? TryResolve(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        if (File.Exists(full)) full = Path.GetDirectoryName(full)!;
        if (IsComplete(full)) return full;
        if (Directory.Exists(full) && !File.Exists(Path.Combine(full, EmotionModel.OptionsFileName)))
        {
            foreach (var name in new[] { BestName, LastName })
                if (TryResolveFolder(Path.Combine(full, name)) is { } inRun) return inRun;
        }
        return TryResolveFolder(full);
    }

    private static string? TryResolveFolder(string full)
    {
        if (IsComplete(full)) return full;
        var parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return null;
        return Leftovers(parent, Path.GetFileName(full))
            .Where(IsComplete)
            .OrderByDescending(d => File.GetLastWriteTimeUtc(Path.Combine(d, StateFileName)))
            .FirstOrDefault();
    }

    /// <summary>Reads a checkpoint's training state.</summary>
    /// <exception cref="FileNotFoundException">No checkpoint exists there.</exception>
    /// <exception cref="FormatException">The state file is damaged (the message names it).</exception>
    public static TrainingState ReadState(string path)
    {
        var dir = Resolve(path);
        var file = Path.Combine(dir, StateFileName);
        try
        {
            return TrainingState.FromJson(File.ReadAllText(file));
        }
        catch (FormatException e)
        {
            throw new FormatException($"Checkpoint '{file}' is damaged: {e.Message}", e);
        }
    }

    /// <summary>
    /// Loads the model of a checkpoint (architecture from its <c>model.json</c>, weights from <c>weights.dat</c>); also accepts
    /// a run's output directory (its best checkpoint) and a plain saved model folder (<see cref="EmotionModel.Save"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">No checkpoint or saved model exists there.</exception>
    /// <exception cref="FormatException">The options file is damaged.</exception>
    /// <exception cref="InvalidDataException">The weights file is damaged or truncated.</exception>
    public static EmotionModel LoadModel(string path, Device? device = null) =>
        EmotionModel.Load(TryResolve(path) ?? (File.Exists(Path.Combine(path, EmotionModel.OptionsFileName)) || File.Exists(path) ? path : Resolve(path)), device);

    /// <summary>Restores the optimizer's state from a checkpoint folder.</summary>
    /// <exception cref="InvalidDataException">The state does not fit the optimizer or the file is damaged.</exception>
    internal static void LoadOptimizer(string directory, OptimizerHelper optimizer)
    {
        var file = Path.Combine(directory, OptimizerFileName);
        if (!File.Exists(file)) throw new FileNotFoundException($"Checkpoint '{directory}' says it holds the optimizer state, but '{file}' is missing.", file);
        try
        {
            using var stream = File.OpenRead(file);
            using var reader = new BinaryReader(stream);
            optimizer.load_state_dict(reader);
            if (stream.Position != stream.Length)
                throw new InvalidDataException($"{stream.Length - stream.Position} bytes remain after the optimizer state.");
        }
        catch (Exception e) when (e is not FileNotFoundException)
        {
            throw new InvalidDataException(
                $"The optimizer state in '{file}' could not be restored ({e.GetType().Name}: {e.Message}); it was saved for another optimizer or another architecture, or the file is damaged.", e);
        }
    }

    private static bool IsComplete(string dir) =>
        File.Exists(Path.Combine(dir, StateFileName)) && File.Exists(Path.Combine(dir, EmotionModel.OptionsFileName))
        && File.Exists(Path.Combine(dir, EmotionModel.WeightsFileName));

    private static IEnumerable<string> Leftovers(string parent, string name) =>
        Directory.EnumerateDirectories(parent, $".{name}.*")
            .Where(d => d.EndsWith(".tmp", StringComparison.Ordinal) || d.EndsWith(".old", StringComparison.Ordinal))
            .ToList();

    private static void TryDelete(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { /* best effort: a leftover is harmless and removed by the next save */ }
        catch (UnauthorizedAccessException) { /* idem */ }
    }
}
