using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Dashboard;

/// <summary>
/// The figures behind the home page's charts, over the cases the user may see (for an administrator, the whole
/// team's). Every figure is a GROUP BY or a conditional count in the database; no case is loaded.
/// Months are UTC calendar months, the same for everyone, so two people comparing charts see the same bars.
/// </summary>
public static class DashboardCharts
{
    public const int Months = 12;

    /// <summary>Upper bounds of the time-to-first-response buckets, in days; the last bucket is everything longer.</summary>
    public static readonly IReadOnlyList<int> ResponseBucketDays = [1, 3, 7, 14, 30];

    public sealed record StatusCount(CaseStatus Status, int Count);

    /// <param name="Month">The first instant of the UTC month.</param>
    public sealed record MonthCounts(DateTime Month, int Opened, int Closed, int Notified);

    public sealed record Bucket(string Label, int Count);

    public sealed record ServiceRate(ServiceEngine Service, int Notified, int Responded)
    {
        public double Rate => Notified == 0 ? 0 : (double)Responded / Notified;
    }

    public sealed record Result(
        IReadOnlyList<StatusCount> OpenByStatus,
        IReadOnlyList<MonthCounts> PerMonth,
        IReadOnlyList<Bucket> TimeToFirstResponse,
        int AwaitingFirstResponse,
        IReadOnlyList<ServiceRate> ResponseRateByService,
        int OwnersNotified);

    public static string BucketLabel(int index) => index switch
    {
        0 => $"Under {ResponseBucketDays[0]} day",
        _ when index < ResponseBucketDays.Count => $"{ResponseBucketDays[index - 1]}–{ResponseBucketDays[index]} days",
        _ => $"Over {ResponseBucketDays[^1]} days",
    };

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
    {
        public async Task<Result> HandleAsync(CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            var cases = db.CasesVisibleTo(user).AsNoTracking();

            var byStatus = await cases
                .Where(c => c.Status != CaseStatus.Closed && c.Status != CaseStatus.Rejected && c.Status != CaseStatus.Published)
                .GroupBy(c => c.Status)
                .Select(g => new StatusCount(g.Key, g.Count()))
                .ToListAsync(cancellationToken);

            var firstMonth = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1 - Months);
            var opened = await CountPerMonthAsync(cases.Where(c => c.CreatedAt >= firstMonth)
                .GroupBy(c => new { c.CreatedAt.Year, c.CreatedAt.Month }).Select(g => new MonthKey(g.Key.Year, g.Key.Month, g.Count())), cancellationToken);
            var closed = await CountPerMonthAsync(cases.Where(c => c.ClosedAt >= firstMonth)
                .GroupBy(c => new { c.ClosedAt!.Value.Year, c.ClosedAt.Value.Month }).Select(g => new MonthKey(g.Key.Year, g.Key.Month, g.Count())), cancellationToken);
            var notified = await CountPerMonthAsync(cases.Where(c => c.FirstNotifiedAt >= firstMonth)
                .GroupBy(c => new { c.FirstNotifiedAt!.Value.Year, c.FirstNotifiedAt.Value.Month }).Select(g => new MonthKey(g.Key.Year, g.Key.Month, g.Count())), cancellationToken);
            var perMonth = Enumerable.Range(0, Months).Select(i => firstMonth.AddMonths(i))
                .Select(m => new MonthCounts(m, opened.GetValueOrDefault(m), closed.GetValueOrDefault(m), notified.GetValueOrDefault(m)))
                .ToList();

            var notifiedCases = cases.Where(c => c.FirstNotifiedAt != null);
            // Cumulative counts ("answered within d days") need only date addition, which both providers translate;
            // the buckets are their differences.
            var within = await notifiedCases
                .GroupBy(c => 1)
                .Select(g => new
                {
                    Notified = g.Count(),
                    Answered = g.Count(c => c.FirstResponseAt != null),
                    D1 = g.Count(c => c.FirstResponseAt < c.FirstNotifiedAt!.Value.AddDays(ResponseBucketDaysArray[0])),
                    D3 = g.Count(c => c.FirstResponseAt < c.FirstNotifiedAt!.Value.AddDays(ResponseBucketDaysArray[1])),
                    D7 = g.Count(c => c.FirstResponseAt < c.FirstNotifiedAt!.Value.AddDays(ResponseBucketDaysArray[2])),
                    D14 = g.Count(c => c.FirstResponseAt < c.FirstNotifiedAt!.Value.AddDays(ResponseBucketDaysArray[3])),
                    D30 = g.Count(c => c.FirstResponseAt < c.FirstNotifiedAt!.Value.AddDays(ResponseBucketDaysArray[4])),
                })
                .SingleOrDefaultAsync(cancellationToken);
            int[] cumulative = within is null ? [0, 0, 0, 0, 0, 0] : [within.D1, within.D3, within.D7, within.D14, within.D30, within.Answered];
            var buckets = cumulative.Select((count, i) => new Bucket(BucketLabel(i), count - (i == 0 ? 0 : cumulative[i - 1]))).ToList();

            var byService = await notifiedCases
                .GroupBy(c => c.Service)
                .Select(g => new ServiceRate(g.Key, g.Count(), g.Count(c => c.FirstResponseAt != null)))
                .ToListAsync(cancellationToken);

            return new Result(
                byStatus.OrderBy(s => s.Status).ToList(),
                perMonth,
                buckets,
                within is null ? 0 : within.Notified - within.Answered,
                byService.OrderByDescending(s => s.Notified).ThenBy(s => s.Service).ToList(),
                within?.Notified ?? 0);
        }

        private static async Task<Dictionary<DateTime, int>> CountPerMonthAsync(IQueryable<MonthKey> query, CancellationToken cancellationToken) =>
            (await query.ToListAsync(cancellationToken))
            .ToDictionary(k => new DateTime(k.Year, k.Month, 1, 0, 0, 0, DateTimeKind.Utc), k => k.Count);
    }

    private static readonly int[] ResponseBucketDaysArray = [.. ResponseBucketDays];

    private sealed record MonthKey(int Year, int Month, int Count);
}
