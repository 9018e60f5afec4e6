namespace Emotion.Torch.Weights;

/// <summary>One renaming rule of a <see cref="WeightsKeyMap"/>.</summary>
/// <param name="From">The file's name (or name prefix) to replace.</param>
/// <param name="To">What replaces it (may be empty, to strip a prefix such as <c>module.</c>).</param>
/// <param name="Prefix">True: every key starting with <paramref name="From"/> has that prefix replaced; false: only the key equal to it is renamed.</param>
public sealed record WeightsKeyRename(string From, string To, bool Prefix = true)
{
    /// <summary>Applies the rule: the renamed key, or <paramref name="key"/> unchanged when the rule does not match.</summary>
    public string Apply(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Prefix) return key.StartsWith(From, StringComparison.Ordinal) ? To + key[From.Length..] : key;
        return key == From ? To : key;
    }

    /// <summary>The rule as <c>from* -&gt; to*</c> (prefix) or <c>from -&gt; to</c> (exact).</summary>
    public override string ToString() => Prefix ? $"{From}* -> {To}*" : $"{From} -> {To}";
}
