using BenchmarkDotNet.Running;
using Emotion.Benchmarks;

// Usage: dotnet run -c Release --project benchmarks/Emotion.Benchmarks -- [--short] [BenchmarkDotNet arguments, e.g. --filter '*Inference*']
// --short: 1 warm-up and 3 measured iterations per case, ResNet-18 + GRU only (see docs/benchmarks.md).
bool isShort = args.Contains("--short");
ThroughputConfig.Short = isShort;
if (isShort) Environment.SetEnvironmentVariable(BenchmarkScope.ShortVariable, "1");
BenchmarkSwitcher.FromAssembly(typeof(ThroughputConfig).Assembly)
    .Run(args.Where(a => a != "--short").ToArray(), new ThroughputConfig());
