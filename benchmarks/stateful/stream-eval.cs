// Scores a trained checkpoint on a dataset split two ways, for the stateful-training comparison in docs/training.md:
//   windowed: the trainer's per-epoch validation (ModelEvaluator over non-overlapping windows, each from a zero state);
//   streamed: every segment of consecutive frame numbers of every video as one stream with the state carried
//             (FrameSequencePredictor; the state restarts at each gap, FrameGaps), as deployment runs a model.
// Usage: dotnet run benchmarks/stateful/stream-eval.cs -- CHECKPOINT DATA_ROOT [SPLIT]   (SPLIT: Validation_Set by default)
#:project ../../src/Emotion.Torch/Emotion.Torch.csproj
#:package TorchSharp-cpu
using System.Globalization;
using Emotion.Core.Metrics;
using Emotion.Core.Sequences;
using Emotion.Preprocessing.Datasets;
using Emotion.Preprocessing.Frames;
using Emotion.Preprocessing.Loading;
using Emotion.Preprocessing.Transforms;
using Emotion.Torch.Evaluation;
using Emotion.Torch.Inference;
using Emotion.Torch.Training;

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: stream-eval.cs CHECKPOINT DATA_ROOT [SPLIT]");
    return 2;
}
string split = args.Length > 2 ? args[2] : AffWild2Layout.ValidationSplit;
using var model = TrainingCheckpoint.LoadModel(args[0]);
var info = model.Info;
var dataset = AffWild2Dataset.Load(args[1], split);

using var loader = SequenceBatchLoader.ForEvaluation(dataset,
    new FramePipeline(new FrameTransformOptions { Width = info.FrameSize, Height = info.FrameSize, Normalization = info.Normalization }),
    info.SequenceLength, batchSize: 8);
var windowed = ModelEvaluator.Evaluate(model, loader.ReadEpoch(0), new EvaluationOptions { CollectPredictions = false }).Metrics;

var accumulator = new EmotionMetricsAccumulator(info.Categories.Length);
var predictor = new FrameSequencePredictor(model, chunkSize: info.SequenceLength);
foreach (var video in dataset.Videos)
{
    var numbers = video.Frames.Select(f => f.Number).ToArray();
    foreach (var segment in FrameGaps.Segments(numbers))
    {
        var frames = video.Frames.Take(segment).ToList();
        foreach (var (prediction, frame) in predictor.Predict(frames.Select(f => new NumberedFrame(f.Number, f.Source))).Zip(frames))
            accumulator.Add(prediction, frame.Label);
    }
}
var streamed = accumulator.Compute();

string F(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-";
Console.WriteLine("mode      accuracy  macroF1  cccValence  cccArousal");
Console.WriteLine($"windowed  {F(windowed.Accuracy),8}  {F(windowed.MacroF1),7}  {F(windowed.CccValence),10}  {F(windowed.CccArousal),10}");
Console.WriteLine($"streamed  {F(streamed.Accuracy),8}  {F(streamed.MacroF1),7}  {F(streamed.CccValence),10}  {F(streamed.CccArousal),10}");
return 0;
