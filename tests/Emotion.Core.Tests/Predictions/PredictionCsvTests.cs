using System.Collections.Immutable;
using Emotion.Core.Faces;
using Emotion.Core.Predictions;

namespace Emotion.Core.Tests.Predictions;

public sealed class PredictionCsvTests
{
    private static readonly ImmutableArray<float> Probabilities = [0.1f, 0.05f, 0.05f, 0.05f, 0.6f, 0.1f, 0.05f];

    [Fact]
    public void FaceRowsCarryTrackAndBoxAndEstimatedValenceArousalSaysSo()
    {
        var rows = new[]
        {
            new PredictionRow("photo", new FramePrediction(1, Probabilities, 0.42f, 0.31f), null, new FaceBox(10.5f, 20f, 30f, 40.25f), 0),
            new PredictionRow("photo", new FramePrediction(1, Probabilities, 0.1f, 0.2f), null, new FaceBox(100f, 5f, 12f, 14f), 1),
        };
        var writer = new StringWriter();
        PredictionCsv.Write(writer, EmotionCategories.Basic, rows, valenceArousal: ValenceArousalSource.CategoryExpectation);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(
            "video,frame,face,x,y,w,h,category,p_neutral,p_anger,p_disgust,p_fear,p_happiness,p_sadness,p_surprise,valence,arousal,va_source",
            lines[0]);
        Assert.Equal("photo,1,0,10.5,20,30,40.25,happiness,0.1,0.05,0.05,0.05,0.6,0.1,0.05,0.42,0.31,estimated_from_categories", lines[1]);
        Assert.Equal("photo,1,1,100,5,12,14,happiness,0.1,0.05,0.05,0.05,0.6,0.1,0.05,0.1,0.2,estimated_from_categories", lines[2]);
    }

    [Fact]
    public void RowsOfFaceCropsKeepThePlainLayout()
    {
        var writer = new StringWriter();
        PredictionCsv.Write(writer, EmotionCategories.Basic, [new PredictionRow("v", new FramePrediction(3, Probabilities, 0.5f, -0.5f), 0.1)]);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("video,frame,time_s,category,p_neutral,p_anger,p_disgust,p_fear,p_happiness,p_sadness,p_surprise,valence,arousal", lines[0]);
        Assert.Equal("v,3,0.1,happiness,0.1,0.05,0.05,0.05,0.6,0.1,0.05,0.5,-0.5", lines[1]);
    }
}
