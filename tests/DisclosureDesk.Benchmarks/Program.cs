using BenchmarkDotNet.Running;
using DisclosureDesk.Benchmarks;
using DisclosureDesk.Benchmarks.Features.Circuits;
using DisclosureDesk.Benchmarks.Features.Export;
using DisclosureDesk.Benchmarks.Features.Import;
using DisclosureDesk.Benchmarks.Features.Notifications;

if (args.Contains(ServerProcess.Flag))
{
    return ServerProcess.RunApp(args);
}
if (args.Contains("--circuits"))
{
    return await CircuitLoadTest.RunAsync(args, Console.Out);
}
if (args.Contains("--mail"))
{
    return await MailLoadTest.RunAsync(args, Console.Out);
}
if (args.Contains("--campaign"))
{
    return await DisclosureDesk.Benchmarks.Features.Campaigns.CampaignLoadTest.RunAsync(args, Console.Out);
}
if (args.Contains("--import"))
{
    return await ImportLoadTest.RunAsync(args, Console.Out);
}
if (args.Contains("--export-interleaved"))
{
    await ExportInterleavedRun.RunAsync(Console.Out);
    return 0;
}

// The database is built (or reused) here, in the host process, once; BenchmarkDotNet's child processes
// only read it. The export benchmarks build their case in memory, so a run of those alone skips it.
var exportOnly = args.Contains("--filter") && args.SkipWhile(a => a != "--filter").Skip(1).TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal))
    .All(pattern => pattern.Contains("Export", StringComparison.Ordinal));
if (!exportOnly)
{
    await BenchmarkDatabase.EnsureAsync(Console.Out);
}

if (args.Contains("--plans"))
{
    await QueryPlans.PrintAsync(Console.Out);
    return 0;
}
if (args.Contains("--interleaved"))
{
    await InterleavedRun.RunAsync(Console.Out);
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(BenchmarkDatabase).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
return 0;
