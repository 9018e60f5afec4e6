using Emotion.Cli;
using Emotion.Cli.Terminal;

using var cancellation = new CancellationTokenSource();
using var signals = TerminationSignals.CancelOnFirstSignal(cancellation);
return await EmotionCli.RunAsync(args, cancellationToken: cancellation.Token);
