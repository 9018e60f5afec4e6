namespace Emotion.Cli.Workflows.Benchmarking;

/// <summary>One backend prepared to run one model on fixed input, so that a call to <see cref="Run"/> is all that is timed.</summary>
public interface IInferenceRunner : IDisposable
{
    /// <summary>The backend (one of <see cref="BackendNames"/>).</summary>
    string Backend { get; }

    /// <summary>Where it runs.</summary>
    BenchmarkDevice Device { get; }

    /// <summary>Batch of independent sequences, or one frame at a time with the state carried.</summary>
    InferenceMode Mode { get; }

    /// <summary>Sequences per call (1 when streaming).</summary>
    int BatchSize { get; }

    /// <summary>Frames per sequence per call (1 when streaming).</summary>
    int SequenceLength { get; }

    /// <summary>Frames processed by one call: <see cref="BatchSize"/> x <see cref="SequenceLength"/>.</summary>
    int FramesPerCall => BatchSize * SequenceLength;

    /// <summary>Runs the model once and waits for its outputs (the device is synchronised by reading one output value).</summary>
    /// <returns>One output value, so the call cannot be optimised away.</returns>
    float Run();
}
