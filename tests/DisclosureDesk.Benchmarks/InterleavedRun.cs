using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using DisclosureDesk.Benchmarks.Features.Cases;
using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.Benchmarks;

/// <summary>
/// <c>-- --interleaved</c>: a cross-check of the ratios for a busy machine. BenchmarkDotNet measures one
/// benchmark after another, so a burst of someone else's work lands on whichever one is running and can
/// swing a ratio either way. Here the benchmarks take turns, a short slice each per round, so a burst hits
/// them all alike; each ratio is taken within a round and the median over the rounds is reported.
/// </summary>
internal static class InterleavedRun
{
    private const int WarmupRounds = 5;
    private const int Rounds = 40;
    private static readonly TimeSpan Slice = TimeSpan.FromMilliseconds(100);

    public static async Task RunAsync(TextWriter output)
    {
        var benchmarks = new ListCasesBenchmarks();
        await benchmarks.SetupAsync();
        try
        {
            var cases = typeof(ListCasesBenchmarks).GetMethods()
                .Select(m => (Method: m, Attribute: m.GetCustomAttribute<BenchmarkAttribute>()))
                .Where(m => m.Attribute is not null)
                .Select(m => (m.Method.Name, m.Attribute!.Baseline, Run: m.Method.CreateDelegate<Func<Task<ListCases.Page>>>(benchmarks)))
                .ToList();
            var baseline = cases.Single(c => c.Baseline).Name;
            var times = cases.ToDictionary(c => c.Name, _ => new List<double>());

            for (var round = -WarmupRounds; round < Rounds; round++)
            {
                foreach (var (name, _, run) in cases)
                {
                    var operations = 0;
                    var stopwatch = Stopwatch.StartNew();
                    do
                    {
                        await run();
                        operations++;
                    }
                    while (stopwatch.Elapsed < Slice);
                    if (round >= 0)
                    {
                        times[name].Add(stopwatch.Elapsed.TotalMilliseconds / operations);
                    }
                }
            }

            output.WriteLine($"Interleaved: {Rounds} rounds of a {Slice.TotalMilliseconds:F0} ms slice per benchmark, after {WarmupRounds} warm-up rounds");
            output.WriteLine("| Method | Median | Min | Ratio (median of per-round ratios) |");
            output.WriteLine("|---|---:|---:|---:|");
            foreach (var (name, _, _) in cases)
            {
                var ratios = times[name].Zip(times[baseline], (time, baseTime) => time / baseTime).ToList();
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {Median(times[name]):F3} ms | {times[name].Min():F3} ms | {Median(ratios):F2} |"));
            }
        }
        finally
        {
            benchmarks.Cleanup();
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }
}
