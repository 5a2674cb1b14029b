using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Perfolizer.Horology;

namespace DisclosureDesk.Benchmarks.Features.Cases;

/// <summary>
/// The case list over 100,000 cases: the first page, the deepest page and a search by host, as an
/// administrator (who sees every case), plus a researcher's first page for information. Each is reported
/// as a ratio to <see cref="FirstPage"/>; the target is a deep page and a search within 2x of it.
/// </summary>
[Config(typeof(ShortNoisyMachineConfig))]
public class ListCasesBenchmarks
{
    /// <summary>
    /// 100,000 cases at the default 25 a page make 4,000 pages, so the last page (the oldest cases) is
    /// the deepest one there is; the "page 5,000" would need 125,000 cases.
    /// </summary>
    public const int DeepPageNumber = BenchmarkDatabase.CaseCount / ListCases.DefaultPageSize;

    private static readonly CurrentUser Administrator =
        new(CaseDataGenerator.AdministratorId, "Alex Admin", IsAdministrator: true, IsApproved: true, TimeZoneInfo.Utc);

    private static readonly CurrentUser Researcher =
        new(CaseDataGenerator.ResearcherId(1), "Researcher 01", IsAdministrator: false, IsApproved: true, TimeZoneInfo.Utc);

    private static readonly ListCases.Query FirstPageQuery = new() { Sort = ListCases.SortOrder.Newest, PageSize = ListCases.DefaultPageSize };

    private AppDbContext _db = null!;
    private ListCases.Query _deepPage = FirstPageQuery;
    private ListCases.Query _searchByHost = FirstPageQuery;

    /// <summary>Extra interceptors for the context, so <see cref="QueryPlans"/> can see the SQL each benchmark runs.</summary>
    internal IInterceptor[] Interceptors { get; init; } = [];

    /// <summary>
    /// One setup for every benchmark, walking from page 1 to the deep page as a user pressing "Next" would.
    /// The walk's 8,000 list queries are also the warm-up: on a busy two-core machine tiered JIT and dynamic
    /// PGO take seconds to reach steady code, longer than BenchmarkDotNet's warm-up, and a benchmark whose
    /// setup skipped the walk would be measured half-warm against one whose setup did.
    /// </summary>
    [GlobalSetup]
    public async Task SetupAsync()
    {
        _db = BenchmarkDatabase.CreateContext(Interceptors);

        // An exact IP from the middle of the data: the "which case was that IP?" search.
        var hosts = await _db.Cases.AsNoTracking()
            .Where(c => c.Id > BenchmarkDatabase.CaseCount / 2)
            .OrderBy(c => c.Id)
            .Select(c => c.Host)
            .Take(50)
            .ToListAsync();
        var host = hosts.First(h => IPAddress.TryParse(h, out _));
        _searchByHost = FirstPageQuery with { Search = host };
        var found = await SearchByHost();
        if (!found.Rows.Any(r => r.Host == host))
        {
            throw new InvalidOperationException($"Searching for {host} did not find its case.");
        }

        var query = FirstPageQuery;
        for (var page = 1; page < DeepPageNumber; page++)
        {
            var result = await ListCases.RunAsync(_db, query, Administrator, CancellationToken.None);
            query = FirstPageQuery with { Cursor = result.NextCursor ?? throw new InvalidOperationException($"Page {page} has no next page.") };
        }
        _deepPage = query;

        // A seek that skipped cases created in the same second would end the walk early or leave this page short.
        var deep = await DeepPage();
        if (deep.Rows.Count != ListCases.DefaultPageSize || deep.NextCursor is not null)
        {
            throw new InvalidOperationException($"Page {DeepPageNumber} should be the last, full page; it has {deep.Rows.Count} rows.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _db.Dispose();

    [Benchmark(Baseline = true)]
    public Task<ListCases.Page> FirstPage() => ListCases.RunAsync(_db, FirstPageQuery, Administrator, CancellationToken.None);

    [Benchmark]
    public Task<ListCases.Page> DeepPage() => ListCases.RunAsync(_db, _deepPage, Administrator, CancellationToken.None);

    [Benchmark]
    public Task<ListCases.Page> SearchByHost() => ListCases.RunAsync(_db, _searchByHost, Administrator, CancellationToken.None);

    /// <summary>A non-administrator who leads 1,000 cases and is a member of 100: the visibility filter at work.</summary>
    [Benchmark]
    public Task<ListCases.Page> ResearcherFirstPage() => ListCases.RunAsync(_db, FirstPageQuery, Researcher, CancellationToken.None);

    /// <summary>
    /// Many short iterations rather than a few long ones: on a shared machine a burst of someone else's
    /// work then spoils a few samples (which the outlier filter and the median shrug off) instead of a
    /// whole benchmark. The whole run stays within a few minutes.
    /// </summary>
    private sealed class ShortNoisyMachineConfig : ManualConfig
    {
        public ShortNoisyMachineConfig()
        {
            AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(5)
                .WithIterationCount(30)
                .WithIterationTime(TimeInterval.FromMilliseconds(100)));
            AddColumn(StatisticColumn.Median);
        }
    }
}
