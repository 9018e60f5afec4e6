using System.Globalization;
using Emotion.Core;
using Emotion.Core.Mapping;
using Emotion.Onnx.Export.Emitters;
using Emotion.Onnx.Export.Graph;
using Emotion.Onnx.Export.Protos;
using Emotion.Torch.Heads;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Onnx.Export;

/// <summary>
/// Writes CNN + RNN emotion models as ONNX graphs (opset <see cref="OnnxGraphBuilder.DefaultOpset"/>) that ONNX Runtime
/// runs without libtorch. The graph takes normalised frames <c>frames [batch, time, 3, H, W]</c> (and, for recurrent
/// heads, the state <c>h0</c> / <c>c0</c>) and returns per-frame <c>logits</c>, <c>probabilities</c>,
/// <c>valence_arousal</c>, <c>features</c> and the final state <c>hn</c> / <c>cn</c>; names in
/// <see cref="OnnxTensorNames"/>, metadata keys in <see cref="OnnxMetadataKeys"/>. Batch norm is folded into the
/// convolutions; dropout is dropped (eval mode).
/// </summary>
public static class OnnxExporter
{
    /// <summary>Exports an <see cref="EmotionModel"/> (any backbone, head and task it can be built with) to <paramref name="path"/>, atomically.</summary>
    /// <param name="model">The model; it is exported in eval mode and left in the mode it was in.</param>
    /// <param name="path">The .onnx file to write (its directory is created if needed).</param>
    /// <param name="options">Export options (default <see cref="OnnxExportOptions.Default"/>).</param>
    /// <exception cref="NotSupportedException">A module has no ONNX equivalent (the message names it).</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Export(EmotionModel model, string path, OnnxExportOptions? options = null) => Export(PartsOf(model), path, options);

    /// <summary>Builds the ONNX model of an <see cref="EmotionModel"/> in memory.</summary>
    /// <exception cref="NotSupportedException">A module has no ONNX equivalent (the message names it).</exception>
    public static ModelProto ToModel(EmotionModel model, OnnxExportOptions? options = null) => ToModel(PartsOf(model), options);

    /// <summary>The exportable parts of an <see cref="EmotionModel"/>: backbone, recurrent module, reduction, output layers and info.</summary>
    /// <exception cref="NotSupportedException">The head is not one of the library's GRU, LSTM or no-recurrence heads.</exception>
    public static SequenceModelParts PartsOf(EmotionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var head = model.Head;
        nn.Module? recurrent = head switch
        {
            IdentityHead => null,
            GruHead or LstmHead => OnnxModuleEmitter.OptionalChild(head, "rnn")
                ?? throw new NotSupportedException($"The {head.GetType().Name} has no 'rnn' submodule; the exporter does not know this structure."),
            _ => throw new NotSupportedException(
                $"Head {head.GetType().FullName} is not supported by the ONNX exporter; supported heads are GruHead, LstmHead and IdentityHead."),
        };
        return new SequenceModelParts
        {
            Backbone = model.Backbone,
            Recurrent = recurrent,
            Output = head.Spec.Output,
            Classifier = model.Classifier,
            Regressor = model.Regressor,
            Info = model.Info,
            ArchitectureJson = model.Options.ToJson(),
        };
    }

    /// <summary>Builds the ONNX model of <paramref name="parts"/> and writes it to <paramref name="path"/> atomically.</summary>
    /// <exception cref="NotSupportedException">A module has no ONNX equivalent (the message names it).</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Export(SequenceModelParts parts, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        OnnxModelFile.Save(ToModel(parts, options), path);
    }

    /// <summary>Builds the ONNX model of <paramref name="parts"/> (in memory).</summary>
    /// <exception cref="NotSupportedException">A module has no ONNX equivalent (the message names it).</exception>
    /// <exception cref="ArgumentException">The parts are inconsistent with the task in <see cref="SequenceModelParts.Info"/>.</exception>
    public static ModelProto ToModel(SequenceModelParts parts, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parts);
        options ??= OnnxExportOptions.Default;
        var info = parts.Info ?? throw new ArgumentException("The model parts have no Info.", nameof(parts));
        info.Validate();
        if (info.Task.HasCategories() != (parts.Classifier is not null))
            throw new ArgumentException($"A {info.Task.ToName()} model {(info.Task.HasCategories() ? "needs" : "must not have")} a classifier.", nameof(parts));
        bool regressed = info.Task.HasValenceArousal() && info.ValenceArousalSource == ValenceArousalSource.Regressed;
        if (regressed != (parts.Regressor is not null))
            throw new ArgumentException(
                $"A {info.Task.ToName()} model {(regressed ? "needs" : "must not have")} a valence/arousal regressor" +
                (info.ValenceArousalSource == ValenceArousalSource.CategoryExpectation ? " (its valence/arousal are estimated from the categories)." : "."), nameof(parts));
        if (parts.Recurrent is not null && !RecurrentEmitter.IsRecurrent(parts.Recurrent))
            throw new NotSupportedException($"The recurrent module is a {parts.Recurrent.GetType().Name}; only TorchSharp GRU and LSTM are supported.");

        var modules = new List<nn.Module> { parts.Backbone };
        if (parts.Recurrent is not null) modules.Add(parts.Recurrent);
        if (parts.Classifier is not null) modules.Add(parts.Classifier);
        if (parts.Regressor is not null) modules.Add(parts.Regressor);
        var wasTraining = modules.Select(m => m.training).ToArray();
        foreach (var m in modules) m.eval();
        try
        {
            using var noGrad = no_grad();
            return Build(parts, info, options);
        }
        finally
        {
            for (int i = 0; i < modules.Count; i++) modules[i].train(wasTraining[i]);
        }
    }

    private static ModelProto Build(SequenceModelParts parts, EmotionModelInfo info, OnnxExportOptions options)
    {
        var g = new OnnxGraphBuilder("emotion_model") { DocString = options.Description };
        var e = new OnnxModuleEmitter(g, options.CustomEmitters);
        long size = info.FrameSize;
        var inputs = new List<string>();
        var outputs = new List<string>();

        string frames = g.AddInput(OnnxTensorNames.Frames, ["batch", "time", 3, size, size]);
        inputs.Add(frames);
        RecurrentEmitter.Spec? rnn = parts.Recurrent is null ? null : RecurrentEmitter.Describe(parts.Recurrent, "head.rnn");
        string? h0 = null, c0 = null;
        // A bidirectional head cannot continue a stream (its backward direction needs the frames that follow), so it
        // gets no state inputs: it always starts from zeros, as TorchSharp's RecurrentHead.CanStream requires.
        if (rnn is not null && options.StateInputs && rnn.Directions == 1)
        {
            h0 = g.AddInput(OnnxTensorNames.HiddenIn, [rnn.StateLayers, "batch", rnn.HiddenSize]);
            inputs.Add(h0);
            if (rnn.IsLstm)
            {
                c0 = g.AddInput(OnnxTensorNames.CellIn, [rnn.StateLayers, "batch", rnn.HiddenSize]);
                inputs.Add(c0);
            }
        }

        // [B, T, 3, H, W] -> [B*T, 3, H, W] -> backbone -> [B*T, F].
        string images = e.Node("Reshape", "frames_flat", [frames, e.Int64s(-1, 3, size, size)]);
        var features = e.Emit(parts.Backbone, new OnnxValue(images, [3, size, size]), "backbone");
        if (features.Rank != 1)
            throw new NotSupportedException($"The backbone returns per-frame values of shape [{string.Join(", ", features.Shape)}]; expected a feature vector [F] (end it with a pooling and Flatten).");
        string batchTime = e.Node("Shape", "batch_time", [frames], OnnxAttribute.Int("start", 0), OnnxAttribute.Int("end", 2));
        string batchOnly = e.Node("Shape", "batch_size", [frames], OnnxAttribute.Int("start", 0), OnnxAttribute.Int("end", 1));
        string seqShape = e.Node("Concat", "sequence_shape", [batchTime, e.Int64s(features.Shape[0])], OnnxAttribute.Int("axis", 0));
        string sequence = e.Node("Reshape", "sequence", [features.Name, seqShape]);
        long width = features.Shape[0];

        // Recurrence over time (ONNX RNNs are time-major: [T, B, F]).
        string headOut = sequence;
        RecurrentEmitter.Result? state = null;
        if (parts.Recurrent is not null && rnn is not null)
        {
            if (rnn.InputSize != width)
                throw new InvalidOperationException($"The recurrent head expects {rnn.InputSize} features per frame but the backbone produces {width}.");
            string timeMajor = e.Node("Transpose", "sequence_tbf", [sequence], OnnxAttribute.Ints("perm", 1, 0, 2));
            state = RecurrentEmitter.Emit(e, parts.Recurrent, timeMajor, h0, c0, OnnxTensorNames.HiddenOut, OnnxTensorNames.CellOut, "head.rnn");
            headOut = state.Output;
            width = rnn.OutputSize;
        }
        headOut = parts.Output switch
        {
            SequenceOutput.PerFrame => headOut,
            SequenceOutput.LastStep => e.Node("Slice", "last_step", [headOut, e.Int64s(-1), e.Int64s(long.MaxValue), e.Int64s(1)]),
            SequenceOutput.Mean => e.Node("ReduceMean", "time_mean", [headOut], OnnxAttribute.Ints("axes", 1), OnnxAttribute.Int("keepdims", 1)),
            _ => throw new ArgumentException($"Unknown sequence output {parts.Output}.", nameof(parts)),
        };
        OnnxDimension timeOut = parts.Output == SequenceOutput.PerFrame ? "time" : 1;
        if (options.Features)
        {
            g.AddNode("Identity", [headOut], OnnxTensorNames.Features);
            outputs.Add(g.AddOutput(OnnxTensorNames.Features, ["batch", timeOut, width]));
        }

        // Output layers on [B*T_out, F'], reshaped back to [B, T_out, *].
        string rows = e.Node("Reshape", "head_rows", [headOut, e.Int64s(-1, width)]);
        if (parts.Classifier is not null)
        {
            var logits = e.Emit(parts.Classifier, new OnnxValue(rows, [width]), "classifier");
            long classes = RequireWidth(logits, info.Categories.Length, "classifier");
            g.AddNode("Reshape", [logits.Name, BatchTimeShape(e, batchOnly, classes)], OnnxTensorNames.Logits);
            outputs.Add(g.AddOutput(OnnxTensorNames.Logits, ["batch", timeOut, classes]));
            bool estimateVa = info.ValenceArousalSource == ValenceArousalSource.CategoryExpectation;
            if (options.Probabilities || estimateVa)
                g.AddNode("Softmax", [OnnxTensorNames.Logits], OnnxTensorNames.Probabilities, OnnxAttribute.Int("axis", -1));
            if (options.Probabilities)
                outputs.Add(g.AddOutput(OnnxTensorNames.Probabilities, ["batch", timeOut, classes]));
            if (estimateVa)
            {
                // Expected circumplex position: [B, T, C] x [C, 2] (the same matrix EmotionModel multiplies by).
                var positions = CircumplexReference.RussellMehrabian1977.PositionMatrix(info.Categories);
                string m = e.Initializer("circumplex_positions", positions, classes, 2);
                g.AddNode("MatMul", [OnnxTensorNames.Probabilities, m], OnnxTensorNames.ValenceArousal);
                outputs.Add(g.AddOutput(OnnxTensorNames.ValenceArousal, ["batch", timeOut, 2]));
            }
        }
        if (parts.Regressor is not null)
        {
            var va = e.Emit(parts.Regressor, new OnnxValue(rows, [width]), "regressor");
            RequireWidth(va, 2, "regressor");
            string reshaped = e.Node("Reshape", "valence_arousal_linear", [va.Name, BatchTimeShape(e, batchOnly, 2)]);
            g.AddNode("Tanh", [reshaped], OnnxTensorNames.ValenceArousal);
            outputs.Add(g.AddOutput(OnnxTensorNames.ValenceArousal, ["batch", timeOut, 2]));
        }
        if (state is not null && rnn is not null)
        {
            outputs.Add(g.AddOutput(state.HiddenOut, [rnn.StateLayers, "batch", rnn.HiddenSize]));
            if (state.CellOut is not null) outputs.Add(g.AddOutput(state.CellOut, [rnn.StateLayers, "batch", rnn.HiddenSize]));
        }

        AddMetadata(g, parts, info, rnn, inputs, outputs);
        return g.Build();
    }

    /// <summary>The shape <c>[B, -1, width]</c> (T_out inferred).</summary>
    private static string BatchTimeShape(OnnxModuleEmitter e, string batchOnly, long width) =>
        e.Node("Concat", $"bt_shape_{width}", [batchOnly, e.Int64s(-1, width)], OnnxAttribute.Int("axis", 0));

    private static long RequireWidth(OnnxValue value, int expected, string what)
    {
        if (value.Rank != 1 || value.Shape[0] != expected)
            throw new InvalidOperationException($"The {what} produces [{string.Join(", ", value.Shape)}] per frame; expected [{expected}].");
        return expected;
    }

    private static void AddMetadata(OnnxGraphBuilder g, SequenceModelParts parts, EmotionModelInfo info, RecurrentEmitter.Spec? rnn,
        List<string> inputs, List<string> outputs)
    {
        var inv = CultureInfo.InvariantCulture;
        g.AddMetadata(OnnxMetadataKeys.FormatVersion, OnnxMetadataKeys.CurrentFormatVersion.ToString(inv));
        g.AddMetadata(OnnxMetadataKeys.ModelInfo, info.ToJson());
        g.AddMetadata(OnnxMetadataKeys.Task, info.Task.ToName());
        g.AddMetadata(OnnxMetadataKeys.Categories, info.Task.HasCategories() ? string.Join(",", info.Categories.Select(c => c.ToName())) : "");
        g.AddMetadata(OnnxMetadataKeys.FrameSize, info.FrameSize.ToString(inv));
        var n = info.Normalization;
        g.AddMetadata(OnnxMetadataKeys.NormalizationMean, string.Create(inv, $"{n.Mean.R},{n.Mean.G},{n.Mean.B}"));
        g.AddMetadata(OnnxMetadataKeys.NormalizationStd, string.Create(inv, $"{n.Std.R},{n.Std.G},{n.Std.B}"));
        g.AddMetadata(OnnxMetadataKeys.SequenceLength, info.SequenceLength.ToString(inv));
        g.AddMetadata(OnnxMetadataKeys.LibraryVersion, info.LibraryVersion);
        g.AddMetadata(OnnxMetadataKeys.Recurrence, rnn is null ? "none" : rnn.IsLstm ? "lstm" : "gru");
        if (info.Task.HasValenceArousal()) g.AddMetadata(OnnxMetadataKeys.ValenceArousalSource, info.ValenceArousalSource switch
        {
            ValenceArousalSource.CategoryExpectation => OnnxMetadataKeys.ValenceArousalFromCategories,
            _ => OnnxMetadataKeys.ValenceArousalRegressed,
        });
        if (info.Origin is not null) g.AddMetadata(OnnxMetadataKeys.Origin, info.Origin);
        g.AddMetadata(OnnxMetadataKeys.OutputMode, parts.Output == SequenceOutput.PerFrame ? "per_frame" : "sequence");
        g.AddMetadata(OnnxMetadataKeys.Inputs, string.Join(",", inputs));
        g.AddMetadata(OnnxMetadataKeys.Outputs, string.Join(",", outputs));
        if (parts.ArchitectureJson is not null) g.AddMetadata(OnnxMetadataKeys.Architecture, parts.ArchitectureJson);
    }
}
