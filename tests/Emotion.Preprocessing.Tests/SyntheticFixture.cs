using Emotion.Preprocessing.Datasets;
using Emotion.Synthetic;
using Emotion.Testing;

namespace Emotion.Preprocessing.Tests;

/// <summary>A small synthetic dataset written once and shared by the loader tests.</summary>
public sealed class SyntheticFixture : IDisposable
{
    private readonly TempFolder _folder = new();

    public SyntheticFixture()
    {
        SyntheticDatasetGenerator.Generate(_folder.Path, new SyntheticDatasetOptions { Videos = 5, FramesPerVideo = 23, FrameSize = 40, Seed = 3, ValidationFraction = 0.2 });
        Training = AffWild2Dataset.Load(_folder.Path, AffWild2Layout.TrainingSplit);
    }

    public string Root => _folder.Path;

    public EmotionDataset Training { get; }

    public void Dispose() => _folder.Dispose();
}
