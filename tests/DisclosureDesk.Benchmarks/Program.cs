using BenchmarkDotNet.Running;
using DisclosureDesk.Benchmarks;

// The database is built (or reused) here, in the host process, once; BenchmarkDotNet's child processes
// only read it.
await BenchmarkDatabase.EnsureAsync(Console.Out);

if (args.Contains("--plans"))
{
    await QueryPlans.PrintAsync(Console.Out);
    return;
}
if (args.Contains("--interleaved"))
{
    await InterleavedRun.RunAsync(Console.Out);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkDatabase).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
