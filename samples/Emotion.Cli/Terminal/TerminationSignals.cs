using System.Runtime.InteropServices;

namespace Emotion.Cli.Terminal;

/// <summary>
/// Ctrl+C and <c>kill</c> for the <c>emotion</c> process: the first SIGINT or SIGTERM cancels the running command through its
/// cancellation token (a training run stops at its next step, writes what it has and prints <c>cancelled</c>, exit code 1); a
/// second one terminates the process at once. This replaces System.CommandLine's own termination handler, whose timeout races
/// with a command that finishes after it (System.CommandLine 3.0.0: <c>ProcessTerminationHandler.Cancel</c> then completes its
/// task twice and the process dies with an unhandled <c>InvalidOperationException</c>; seen when a slow training step outlasted
/// the 2-second default), so <see cref="EmotionCli.RunAsync"/> switches that handler off.
/// </summary>
public static class TerminationSignals
{
    /// <summary>Cancels <paramref name="cancellation"/> on the first SIGINT or SIGTERM until the returned object is disposed.</summary>
    public static IDisposable CancelOnFirstSignal(CancellationTokenSource cancellation)
    {
        ArgumentNullException.ThrowIfNull(cancellation);
        int received = 0;
        void Handle(PosixSignalContext context)
        {
            if (Interlocked.Increment(ref received) > 1) return; // the second signal: the default action ends the process
            context.Cancel = true;
            try
            {
                cancellation.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The command has finished and its token is gone: nothing left to cancel.
            }
        }
        return new Registrations([PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)]);
    }

    private sealed class Registrations(PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations) registration.Dispose();
        }
    }
}
