using System.Text.Json.Serialization;

namespace Emotion.Torch.Training;

/// <summary>
/// The arithmetic a <see cref="Trainer"/> runs the backbone's forward and backward passes in (<see cref="TrainerOptions.Precision"/>).
/// In every mode the weights, the optimizer state, the recurrent head, the output layers and the loss stay float32, and
/// checkpoints hold float32 weights.
/// </summary>
public enum TrainingPrecision
{
    /// <summary>Everything in float32 (the default).</summary>
    [JsonStringEnumMemberName("float32")]
    Float32,

    /// <summary>
    /// The backbone runs under bfloat16 autocast (<see cref="TorchAutocast"/>): convolutions and linear layers compute in
    /// bfloat16 from float32 master weights, which get float32 gradients. bfloat16 has float32's exponent range, so no loss
    /// scaling is needed. Faster than float32 on CPUs with bfloat16 instructions (AVX-512 BF16, AMX) and on NVIDIA GPUs from
    /// Ampere on; elsewhere it still trains, emulated and slower.
    /// </summary>
    [JsonStringEnumMemberName("bfloat16")]
    BFloat16,

    /// <summary>
    /// The backbone runs under float16 autocast, with dynamic loss scaling (the loss is multiplied by a scale before the
    /// backward pass, the gradients divided by it, and a step whose gradients overflow is skipped and halves the scale). Meant for
    /// CUDA GPUs; on a CPU without AVX-512 FP16 it runs emulated and slowly.
    /// </summary>
    [JsonStringEnumMemberName("float16")]
    Float16,
}
