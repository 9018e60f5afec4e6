using Emotion.Core.Data;
using Emotion.Torch.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Emotion.Torch.Training;

/// <summary>
/// Carries the recurrent state of a model from one batch to the next for stateful training (truncated back-propagation
/// through time): <see cref="Initial"/> gives the state a batch starts from (each row that continues, per
/// <see cref="SequenceBatch.ContinuesState"/>, takes the state its row ended the previous batch with; the others zero),
/// and <see cref="Keep"/> stores the state a batch ended with, detached from the autograd graph, so that the next
/// step's gradients stop at its first frame.
/// </summary>
/// <remarks>
/// Row b of a batch is lane b (<c>LaneSchedule</c>); a batch may have fewer rows than the previous one (the last step of
/// an epoch), and then the state's first rows are used. A row that claims to continue a row the previous batch did not
/// have, or any continuing row when no state is kept (the first batch of an epoch), is an error.
/// </remarks>
public sealed class RecurrentStateCarry : IDisposable
{
    private RecurrentState? _state;

    /// <summary>The state kept from the last batch (detached; rows = that batch's rows), or null.</summary>
    public RecurrentState? State => _state;

    /// <summary>
    /// The state batch <paramref name="batch"/> starts from: null when no row continues (a zero state), else the kept state
    /// narrowed to the batch's rows with the rows that do not continue set to zero. The tensors belong to the current dispose scope.
    /// </summary>
    /// <exception cref="InvalidOperationException">A row continues a state that does not exist.</exception>
    public RecurrentState? Initial(SequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int rows = batch.BatchSize;
        bool any = false;
        for (int b = 0; b < rows; b++)
        {
            if (!batch.ContinuesState[b]) continue;
            any = true;
            if (_state is null)
                throw new InvalidOperationException(
                    $"Row {b} of the batch (video '{batch.VideoIds[b]}') continues the recurrent state of a previous batch, but there is none (the first batch of an epoch starts from zero).");
            if (b >= _state.Hidden.shape[1])
                throw new InvalidOperationException(
                    $"Row {b} of the batch (video '{batch.VideoIds[b]}') continues the recurrent state of row {b} of the previous batch, which had only {_state.Hidden.shape[1]} rows.");
        }
        if (!any) return null;

        var mask = new float[rows];
        for (int b = 0; b < rows; b++) mask[b] = batch.ContinuesState[b] ? 1f : 0f;
        var hidden = _state!.Hidden;
        using var keep = tensor(mask, [1, rows, 1], dtype: hidden.dtype, device: hidden.device);
        return new RecurrentState(hidden.narrow(1, 0, rows).mul(keep), _state.Cell?.narrow(1, 0, rows).mul(keep));
    }

    /// <summary>Keeps <paramref name="state"/> (the state a batch ended with), detached, for the next batch; null forgets the state.</summary>
    public void Keep(RecurrentState? state)
    {
        // Detached from the graph (truncation) and from any dispose scope (the carry owns and disposes it).
        var next = state is null ? null
            : new RecurrentState(state.Hidden.detach().DetachFromDisposeScope(), state.Cell?.detach().DetachFromDisposeScope());
        _state?.Dispose();
        _state = next;
    }

    /// <summary>Forgets the state: the next batch starts from zero (the start of an epoch).</summary>
    public void Reset() => Keep(null);

    /// <inheritdoc />
    public void Dispose() => Reset();
}
