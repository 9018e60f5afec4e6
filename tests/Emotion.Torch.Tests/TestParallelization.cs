using Xunit;

// The test classes of this assembly run one after another. TorchNativeSettings.SafeBackward switches oneDNN off for the
// whole process while a backward pass runs (libtorch's flag is process-global), so a forward pass on another thread
// at that moment runs on ATen's kernels and differs from the oneDNN result in the last bits. Several tests here compare
// two computations bit for bit (streaming evaluation vs the predictor, a gap vs two streams, a frozen vs a trainable
// backbone); run in parallel with a training test, they would compare results of different kernels.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
