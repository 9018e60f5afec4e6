namespace Emotion.Torch.Tests.Training;

/// <summary>
/// Tests that compare seeded runs: TorchSharp's global generator (dropout, initialisation) is shared by every thread, so
/// these run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Seeded training runs";
}
