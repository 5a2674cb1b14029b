using System.Globalization;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Dashboard;

/// <summary>
/// Team-wide figures per year, or per month of one year, in the spirit of a coordinator's yearly report: cases
/// opened, owners and hosts notified, records exposed, how many owners answered and how fast, cases closed. For
/// administrators only (every case counts); periods are UTC calendar years and months.
/// </summary>
public static class TeamStatistics
{
    public const int FirstYear = 2000;

    /// <summary>Per year when <see cref="Year"/> is null, else per month of that year.</summary>
    public sealed record Query(int? Year);

    /// <param name="Period"><c>2026</c> or <c>2026-03</c>.</param>
    /// <param name="OwnersNotified">Cases whose owner was first notified in the period.</param>
    /// <param name="HostsNotified">Distinct hosts (IP addresses or names) among those cases.</param>
    /// <param name="RecordsExposed">The record counts of those cases, added up (cases without a count add nothing).</param>
    /// <param name="OwnersResponded">Of those cases, how many owners have answered (at any time since).</param>
    /// <param name="MedianDaysToFirstResponse">Over the answered ones, from first notification to first answer; null when none answered.</param>
    public sealed record Row(
        string Period,
        int CasesOpened,
        int OwnersNotified,
        int HostsNotified,
        long RecordsExposed,
        int OwnersResponded,
        double? ResponseRate,
        double? MedianDaysToFirstResponse,
        int CasesClosed);

    public sealed record Report(DateTime GeneratedAt, int? Year, IReadOnlyList<Row> Rows);

    /// <summary>Reads <c>?year=</c>: empty means per year; otherwise a year from <see cref="FirstYear"/> to next year.</summary>
    public static bool TryParseYear(string? text, DateTime now, out int? year, out string? error)
    {
        year = null;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= FirstYear && parsed <= now.Year + 1)
        {
            year = parsed;
            return true;
        }
        error = $"The year must be a number from {FirstYear} to {now.Year + 1}, or left out for every year.";
        return false;
    }

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
    {
        public async Task<Report> HandleAsync(Query query, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            var cases = db.Cases.AsNoTracking();
            var byYear = query.Year is null;
            var from = new DateTime(query.Year ?? FirstYear, 1, 1, 0, 0, 0, DateTimeKind.Utc);
            // Without a year, up to a bound every stored instant is before (infinity is no portable parameter).
            var to = query.Year is not null ? from.AddYears(1) : new DateTime(now.Year + 2, 1, 1, 0, 0, 0, DateTimeKind.Utc);

            // One key per row: the year, or the month within the one year asked for.
            var opened = await cases.Where(c => c.CreatedAt >= from && c.CreatedAt < to)
                .GroupBy(c => byYear ? c.CreatedAt.Year : c.CreatedAt.Month)
                .Select(g => new { g.Key, Count = g.Count() })
                .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
            var closed = await cases.Where(c => c.ClosedAt >= from && c.ClosedAt < to)
                .GroupBy(c => byYear ? c.ClosedAt!.Value.Year : c.ClosedAt!.Value.Month)
                .Select(g => new { g.Key, Count = g.Count() })
                .ToDictionaryAsync(x => x.Key, x => x.Count, cancellationToken);
            var notifiedCases = cases.Where(c => c.FirstNotifiedAt >= from && c.FirstNotifiedAt < to);
            var notified = await notifiedCases
                .GroupBy(c => byYear ? c.FirstNotifiedAt!.Value.Year : c.FirstNotifiedAt!.Value.Month)
                .Select(g => new
                {
                    g.Key,
                    Count = g.Count(),
                    Hosts = g.Select(c => c.HostKey).Distinct().Count(),
                    Records = g.Sum(c => c.RecordCount) ?? 0,
                    Responded = g.Count(c => c.FirstResponseAt != null),
                })
                .ToDictionaryAsync(x => x.Key, cancellationToken);
            // A median has no portable SQL; it needs the answered cases' two dates, and only theirs.
            var answered = await notifiedCases.Where(c => c.FirstResponseAt != null)
                .Select(c => new { Notified = c.FirstNotifiedAt!.Value, Responded = c.FirstResponseAt!.Value })
                .ToListAsync(cancellationToken);
            var medians = answered
                .GroupBy(a => byYear ? a.Notified.Year : a.Notified.Month)
                .ToDictionary(g => g.Key, g => Median(g.Select(a => (a.Responded - a.Notified).TotalDays)));

            IEnumerable<int> keys;
            if (byYear)
            {
                var years = opened.Keys.Concat(closed.Keys).Concat(notified.Keys).ToList();
                keys = years.Count == 0 ? [] : Enumerable.Range(years.Min(), Math.Max(years.Max(), now.Year) - years.Min() + 1);
            }
            else
            {
                keys = Enumerable.Range(1, 12);
            }

            var rows = keys.Select(key =>
            {
                var n = notified.GetValueOrDefault(key);
                return new Row(
                    byYear ? key.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{query.Year:D4}-{key:D2}"),
                    opened.GetValueOrDefault(key),
                    n?.Count ?? 0,
                    n?.Hosts ?? 0,
                    n?.Records ?? 0,
                    n?.Responded ?? 0,
                    n is { Count: > 0 } ? Math.Round((double)n.Responded / n.Count, 4) : null,
                    medians.TryGetValue(key, out var median) ? Math.Round(median, 1) : null,
                    closed.GetValueOrDefault(key));
            }).ToList();
            return new Report(now, query.Year, rows);
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            var middle = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        }
    }
}
