namespace Emotion.Torch.Import;

/// <summary>The kinds of TensorFlow.js JSON files <see cref="TfjsModelFile"/> reads.</summary>
public enum TfjsModelFormat
{
    /// <summary>A stand-alone weights manifest: a JSON array of groups <c>{ paths, weights }</c> (face-api.js's <c>*-weights_manifest.json</c>).</summary>
    WeightsManifest,

    /// <summary>A layers model (<c>format: "layers-model"</c>): a Keras <c>modelTopology</c> plus a <c>weightsManifest</c>.</summary>
    LayersModel,

    /// <summary>A graph model (<c>format: "graph-model"</c>): a TensorFlow graph (<c>modelTopology.node</c>) plus a <c>weightsManifest</c>.</summary>
    GraphModel,
}
