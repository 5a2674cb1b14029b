using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using DisclosureDesk.Features.Export;

namespace DisclosureDesk.Benchmarks.Features.Export;

/// <summary>
/// <c>-- --export-interleaved</c>: the export benchmarks for a heavily loaded machine. Every round runs each
/// benchmark a few times in turn, so load that comes and goes hits them all alike; each ratio to the
/// JsonSerializer baseline is taken within a round, and the median over rounds is reported. It records both
/// wall-clock time and the process's CPU time: with many more runnable threads than cores, wall-clock time is
/// mostly time spent waiting for a core, while CPU time is the work the export itself does.
/// </summary>
internal static class ExportInterleavedRun
{
    private const int WarmupRounds = 5;
    private const int Rounds = 30;
    private const int OperationsPerSlice = 5;

    public static async Task RunAsync(TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Export, interleaved: {ExportBenchmarks.EventCount:N0} events, {Rounds} rounds of {OperationsPerSlice} operations per benchmark after {WarmupRounds} warm-up rounds; load average {LoadAverage()}"));
        foreach (var profile in new[] { ExportProfile.Full, ExportProfile.Public })
        {
            var benchmarks = new ExportBenchmarks { Profile = profile };
            benchmarks.Setup();
            var cases = typeof(ExportBenchmarks).GetMethods()
                .Select(m => (Method: m, Attribute: m.GetCustomAttribute<BenchmarkAttribute>()))
                .Where(m => m.Attribute is not null)
                .Select(m => (m.Method.Name, m.Attribute!.Baseline, Run: m.Method.CreateDelegate<Func<Task>>(benchmarks)))
                .ToList();
            var baseline = cases.Single(c => c.Baseline).Name;
            var wall = cases.ToDictionary(c => c.Name, _ => new List<double>());
            var cpu = cases.ToDictionary(c => c.Name, _ => new List<double>());

            for (var round = -WarmupRounds; round < Rounds; round++)
            {
                foreach (var (name, _, run) in cases)
                {
                    var cpuBefore = Environment.CpuUsage.TotalTime;
                    var stopwatch = Stopwatch.StartNew();
                    for (var i = 0; i < OperationsPerSlice; i++)
                    {
                        await run();
                    }
                    var elapsed = stopwatch.Elapsed;
                    var cpuTime = Environment.CpuUsage.TotalTime - cpuBefore;
                    if (round >= 0)
                    {
                        wall[name].Add(elapsed.TotalMilliseconds / OperationsPerSlice);
                        cpu[name].Add(cpuTime.TotalMilliseconds / OperationsPerSlice);
                    }
                }
            }

            output.WriteLine();
            output.WriteLine($"Profile {profile}:");
            output.WriteLine("| Method | CPU median | Ratio (CPU) | Wall median | Ratio (wall) |");
            output.WriteLine("|---|---:|---:|---:|---:|");
            foreach (var (name, _, _) in cases)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {Median(cpu[name]):F2} ms | {Median(Ratios(cpu, name, baseline)):F2} | {Median(wall[name]):F2} ms | {Median(Ratios(wall, name, baseline)):F2} |"));
            }
        }
        output.WriteLine();
        output.WriteLine($"Load average at the end: {LoadAverage()}");
    }

    private static List<double> Ratios(Dictionary<string, List<double>> times, string name, string baseline) =>
        times[name].Zip(times[baseline], (time, baseTime) => time / baseTime).ToList();

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }
}
