namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>How frames reach the model in a throughput measurement.</summary>
public enum InferenceMode
{
    /// <summary>Independent sequences in one call (<c>B x T</c> frames from a zero recurrent state).</summary>
    Batch,

    /// <summary>One frame per call with the recurrent state carried from call to call (a live video, latency per frame).</summary>
    Stream,
}
