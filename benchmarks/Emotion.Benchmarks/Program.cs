using BenchmarkDotNet.Running;
using Emotion.Benchmarks;

// Usage: dotnet run -c Release --project benchmarks/Emotion.Benchmarks -- [--short] [BenchmarkDotNet arguments, e.g. --filter '*Inference*']
// --short runs 1 warm-up and 3 measured iterations per case (see docs/benchmarks.md for the commands behind its tables).
ThroughputConfig.Short = args.Contains("--short");
BenchmarkSwitcher.FromAssembly(typeof(ThroughputConfig).Assembly)
    .Run(args.Where(a => a != "--short").ToArray(), new ThroughputConfig());
