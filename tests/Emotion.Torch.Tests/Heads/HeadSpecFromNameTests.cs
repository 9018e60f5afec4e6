using Emotion.Torch.Heads;

namespace Emotion.Torch.Tests.Heads;

public sealed class HeadSpecFromNameTests
{
    [Theory]
    [InlineData("gru", RecurrentKind.Gru)]
    [InlineData("GRU", RecurrentKind.Gru)]
    [InlineData("lstm", RecurrentKind.Lstm)]
    [InlineData(" Lstm ", RecurrentKind.Lstm)]
    public void RecurrentNamesGiveTheFactoryHeadsWithTheSizes(string name, RecurrentKind kind)
    {
        var spec = HeadSpec.FromName(name, hidden: 64, layers: 2, bidirectional: true);
        var expected = kind == RecurrentKind.Gru ? HeadSpec.Gru(64, 2, bidirectional: true) : HeadSpec.Lstm(64, 2, bidirectional: true);
        Assert.Equal(expected, spec);
        Assert.Equal(kind, spec.Kind);
        Assert.Empty(spec.Validate());
    }

    [Fact]
    public void NoneIgnoresTheSizesAndIsValid()
    {
        var spec = HeadSpec.FromName("none", hidden: 64, layers: 2);
        Assert.Equal(HeadSpec.NoRecurrence(), spec);
        Assert.Equal(RecurrentKind.None, spec.Kind);
        Assert.Empty(spec.Validate());
    }

    [Fact]
    public void DefaultsMatchTheFactories()
    {
        Assert.Equal(HeadSpec.Gru(), HeadSpec.FromName("gru"));
        Assert.Equal(HeadSpec.Lstm(), HeadSpec.FromName("lstm"));
    }

    [Theory]
    [InlineData("rnn")]
    [InlineData("")]
    [InlineData("gru2")]
    public void UnknownNameListsTheValidNames(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => HeadSpec.FromName(name));
        Assert.Equal("name", e.ParamName);
        Assert.Contains($"'{name}'", e.Message);
        Assert.Contains("gru, lstm, none", e.Message);
    }

    [Fact]
    public void EveryListedNameIsAccepted()
    {
        Assert.Equal(["gru", "lstm", "none"], HeadSpec.Names);
        foreach (var name in HeadSpec.Names) Assert.NotNull(HeadSpec.FromName(name));
    }
}
