namespace Emotion.Onnx.Video.Tests;

/// <summary>The test classes that share one exported model (exported once per run; they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<ExportedModelFixture>
{
    /// <summary>The collection's name.</summary>
    public const string Name = "exported model";
}
