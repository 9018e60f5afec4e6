namespace Emotion.Torch.Heads;

/// <summary>A serialisable description of the recurrent head; part of <c>EmotionModelOptions</c>.</summary>
public sealed record HeadSpec
{
    /// <summary>GRU, LSTM or no recurrence.</summary>
    public RecurrentKind Kind { get; init; } = RecurrentKind.Gru;

    /// <summary>Hidden units per direction and layer (ignored without recurrence).</summary>
    public int Hidden { get; init; } = 128;

    /// <summary>Stacked recurrent layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Whether the recurrence also runs backwards in time (doubles the output width; cannot stream).</summary>
    public bool Bidirectional { get; init; }

    /// <summary>Dropout between stacked recurrent layers (PyTorch semantics: needs at least 2 layers).</summary>
    public double Dropout { get; init; }

    /// <summary>Per-frame (sequence-to-sequence) or last-step / mean (sequence-to-one) outputs.</summary>
    public SequenceOutput Output { get; init; } = SequenceOutput.PerFrame;

    /// <summary>A GRU head.</summary>
    public static HeadSpec Gru(int hidden = 128, int layers = 1, bool bidirectional = false, double dropout = 0, SequenceOutput output = SequenceOutput.PerFrame) =>
        new() { Kind = RecurrentKind.Gru, Hidden = hidden, Layers = layers, Bidirectional = bidirectional, Dropout = dropout, Output = output };

    /// <summary>An LSTM head.</summary>
    public static HeadSpec Lstm(int hidden = 128, int layers = 1, bool bidirectional = false, double dropout = 0, SequenceOutput output = SequenceOutput.PerFrame) =>
        new() { Kind = RecurrentKind.Lstm, Hidden = hidden, Layers = layers, Bidirectional = bidirectional, Dropout = dropout, Output = output };

    /// <summary>A head without recurrence (per-frame CNN only); <paramref name="output"/> can still pool the sequence.</summary>
    public static HeadSpec NoRecurrence(SequenceOutput output = SequenceOutput.PerFrame) =>
        new() { Kind = RecurrentKind.None, Hidden = 0, Layers = 0, Output = output };

    /// <summary>The head names accepted by <see cref="FromName"/>: <c>gru</c>, <c>lstm</c> and <c>none</c> (no recurrence).</summary>
    public static IReadOnlyList<string> Names { get; } = ["gru", "lstm", "none"];

    /// <summary>
    /// The head for a name as written on a command line or in a configuration file: <c>gru</c> (<see cref="Gru"/>),
    /// <c>lstm</c> (<see cref="Lstm"/>) or <c>none</c> (<see cref="NoRecurrence"/>, which ignores the sizes); case-insensitive.
    /// </summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="hidden">Hidden units per direction and layer of a recurrent head.</param>
    /// <param name="layers">Stacked recurrent layers.</param>
    /// <param name="bidirectional">Whether a recurrent head also runs backwards in time.</param>
    /// <exception cref="ArgumentException">The name is not one of <see cref="Names"/>; the message lists them.</exception>
    public static HeadSpec FromName(string name, int hidden = 128, int layers = 1, bool bidirectional = false)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "gru" => Gru(hidden, layers, bidirectional),
            "lstm" => Lstm(hidden, layers, bidirectional),
            "none" => NoRecurrence(),
            _ => throw new ArgumentException($"Unknown head '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>The problems with this spec, each a sentence saying what to change (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!Enum.IsDefined(Kind)) problems.Add($"Head kind {(int)Kind} is not defined; use Gru, Lstm or None.");
        if (!Enum.IsDefined(Output)) problems.Add($"Head output {(int)Output} is not defined; use PerFrame, LastStep or Mean.");
        if (Kind == RecurrentKind.None)
        {
            if (Bidirectional || Dropout != 0)
                problems.Add("A head without recurrence has no direction or dropout; use HeadSpec.NoRecurrence().");
            return problems;
        }
        if (Hidden <= 0) problems.Add($"The {Kind} head needs a positive hidden size (got {Hidden}); for example hidden: 128.");
        if (Layers <= 0) problems.Add($"The {Kind} head needs at least one layer (got {Layers}).");
        if (!(Dropout >= 0 && Dropout < 1)) problems.Add($"The {Kind} head's dropout must be in [0, 1) (got {Dropout}).");
        else if (Dropout > 0 && Layers == 1)
            problems.Add($"The {Kind} head's dropout ({Dropout}) acts between stacked layers, and there is only 1; use layers: 2 or more, or dropout: 0 (WithOutputDropout adds dropout before the output layers).");
        return problems;
    }
}
