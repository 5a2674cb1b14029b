using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Dashboard;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Features.Dashboard;

/// <summary>
/// The home page's charts and the team statistics, computed by the database, against cases with known dates. The
/// collection's other tests file cases too, so the charts are checked for a researcher of their own and the team
/// statistics in years no other test's clock reaches.
/// </summary>
public abstract class DashboardStatisticsTests
{
    private readonly DisclosureDeskFactory _app;

    private DashboardStatisticsTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : DashboardStatisticsTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : DashboardStatisticsTests(app);

    [Fact]
    public async Task Charts_ResearchersCases_CountsOnlyTheirCasesByStatusMonthBucketAndService()
    {
        var researcher = await _app.CreateResearcherAsync("charts");
        var other = await _app.CreateResearcherAsync("charts-other");
        var now = _app.Time.GetUtcNow().UtcDateTime;
        var m0 = new DateTime(now.Year, now.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        await CaseAsync(researcher, ServiceEngine.MongoDB, "203.0.113.1", c =>
        {
            c.Status = CaseStatus.Notified;
            c.CreatedAt = m0.AddHours(1);
            c.FirstNotifiedAt = m0.AddHours(2);
            c.FirstResponseAt = m0.AddHours(14);
        });
        await CaseAsync(researcher, ServiceEngine.MongoDB, "203.0.113.2", c =>
        {
            c.Status = CaseStatus.Acknowledged;
            c.CreatedAt = m0.AddMonths(-1).AddDays(1);
            c.FirstNotifiedAt = m0.AddMonths(-1).AddDays(2);
            c.FirstResponseAt = c.FirstNotifiedAt.Value.AddDays(2);
        });
        await CaseAsync(researcher, ServiceEngine.Elasticsearch, "203.0.113.3", c =>
        {
            c.Status = CaseStatus.NoResponse;
            c.CreatedAt = m0.AddMonths(-1).AddDays(3);
            c.FirstNotifiedAt = m0.AddMonths(-1).AddDays(4);
        });
        await CaseAsync(researcher, ServiceEngine.Redis, "203.0.113.4", c =>
        {
            c.Status = CaseStatus.Closed;
            c.CreatedAt = m0.AddMonths(-3).AddDays(1);
            c.FirstNotifiedAt = m0.AddMonths(-2).AddDays(1);
            c.FirstResponseAt = c.FirstNotifiedAt.Value.AddDays(40);
            c.ClosedAt = m0.AddHours(1);
        });
        await CaseAsync(researcher, ServiceEngine.MongoDB, "203.0.113.5", c => c.CreatedAt = m0.AddMonths(-2).AddDays(5));
        // Opened and closed thirteen months ago: outside the twelve months and not open.
        await CaseAsync(researcher, ServiceEngine.MongoDB, "203.0.113.6", c =>
        {
            c.Status = CaseStatus.Rejected;
            c.CreatedAt = m0.AddMonths(-12).AddDays(1);
            c.ClosedAt = m0.AddMonths(-12).AddDays(2);
        });
        // Someone else's case, answered at once: it must not count anywhere in the researcher's charts.
        await CaseAsync(other, ServiceEngine.MongoDB, "203.0.113.7", c =>
        {
            c.Status = CaseStatus.Acknowledged;
            c.CreatedAt = m0.AddHours(1);
            c.FirstNotifiedAt = m0.AddHours(2);
            c.FirstResponseAt = m0.AddHours(3);
        });

        var charts = await _app.ExecuteAsync<DashboardCharts.Handler, DashboardCharts.Result>(h => h.HandleAsync(researcher.Current));

        Assert.Equal(
            [new(CaseStatus.New, 1), new(CaseStatus.Notified, 1), new(CaseStatus.Acknowledged, 1), new(CaseStatus.NoResponse, 1)],
            charts.OpenByStatus);
        Assert.Equal(DashboardCharts.Months, charts.PerMonth.Count);
        Assert.Equal(m0.AddMonths(-11), charts.PerMonth[0].Month);
        var expectedMonths = Enumerable.Range(0, 12).Select(i => new DashboardCharts.MonthCounts(m0.AddMonths(i - 11), 0, 0, 0)).ToList();
        expectedMonths[8] = expectedMonths[8] with { Opened = 1 };
        expectedMonths[9] = expectedMonths[9] with { Opened = 1, Notified = 1 };
        expectedMonths[10] = expectedMonths[10] with { Opened = 2, Notified = 2 };
        expectedMonths[11] = expectedMonths[11] with { Opened = 1, Notified = 1, Closed = 1 };
        Assert.Equal(expectedMonths, charts.PerMonth);
        Assert.Equal(
            [new("Under 1 day", 1), new("1–3 days", 1), new("3–7 days", 0), new("7–14 days", 0), new("14–30 days", 0), new("Over 30 days", 1)],
            charts.TimeToFirstResponse);
        Assert.Equal(1, charts.AwaitingFirstResponse);
        Assert.Equal(4, charts.OwnersNotified);
        Assert.Equal(
            [new(ServiceEngine.MongoDB, 2, 2), new(ServiceEngine.Elasticsearch, 1, 0), new(ServiceEngine.Redis, 1, 1)],
            charts.ResponseRateByService);
    }

    [Fact]
    public async Task TeamStatistics_OneYear_CountsEachMonthsCasesHostsRecordsAnswersAndMedian()
    {
        var lead = await _app.CreateResearcherAsync("stats-months");
        await CaseAsync(lead, ServiceEngine.MongoDB, "203.0.113.1", c =>
        {
            c.Status = CaseStatus.Closed;
            c.RecordCount = 1000;
            c.CreatedAt = Utc(2021, 1, 10);
            c.FirstNotifiedAt = Utc(2021, 1, 12);
            c.FirstResponseAt = Utc(2021, 1, 13);
            c.ClosedAt = Utc(2021, 3, 1);
        });
        // The same host as above, notified in February: counted as a host of February.
        await CaseAsync(lead, ServiceEngine.MongoDB, "203.0.113.1", c =>
        {
            c.Status = CaseStatus.Acknowledged;
            c.RecordCount = 500;
            c.CreatedAt = Utc(2021, 1, 20);
            c.FirstNotifiedAt = Utc(2021, 2, 1);
            c.FirstResponseAt = Utc(2021, 2, 4);
        });
        // The same host twice within February counts once.
        await CaseAsync(lead, ServiceEngine.Elasticsearch, "DB.Example.org", c =>
        {
            c.Status = CaseStatus.NoResponse;
            c.CreatedAt = Utc(2021, 2, 5);
            c.FirstNotifiedAt = Utc(2021, 2, 6);
        });
        await CaseAsync(lead, ServiceEngine.Elasticsearch, "db.example.org", c =>
        {
            c.Status = CaseStatus.Closed;
            c.RecordCount = 250;
            c.CreatedAt = Utc(2021, 2, 7);
            c.FirstNotifiedAt = Utc(2021, 2, 8);
            c.FirstResponseAt = Utc(2021, 2, 18);
            c.ClosedAt = Utc(2021, 2, 28, 23);
        });
        await CaseAsync(lead, ServiceEngine.Redis, "203.0.113.9", c => c.CreatedAt = Utc(2021, 12, 31, 23));

        var report = await _app.ExecuteAsync<TeamStatistics.Handler, TeamStatistics.Report>(h => h.HandleAsync(new TeamStatistics.Query(2021)));

        Assert.Equal(2021, report.Year);
        Assert.Equal(Enumerable.Range(1, 12).Select(m => $"2021-{m:D2}"), report.Rows.Select(r => r.Period));
        Assert.Equal(new TeamStatistics.Row("2021-01", 2, 1, 1, 1000, 1, 1, 1, 0), report.Rows[0]);
        Assert.Equal(new TeamStatistics.Row("2021-02", 2, 3, 2, 750, 2, 0.6667, 6.5, 1), report.Rows[1]);
        Assert.Equal(new TeamStatistics.Row("2021-03", 0, 0, 0, 0, 0, null, null, 1), report.Rows[2]);
        Assert.Equal(new TeamStatistics.Row("2021-12", 1, 0, 0, 0, 0, null, null, 0), report.Rows[11]);
        Assert.All(report.Rows.Skip(3).Take(8), r => Assert.Equal(new TeamStatistics.Row(r.Period, 0, 0, 0, 0, 0, null, null, 0), r));
    }

    [Fact]
    public async Task TeamStatistics_EveryYear_ListsEveryYearToThisOneAndCountsByTheYearOfEachDate()
    {
        var lead = await _app.CreateResearcherAsync("stats-years");
        await CaseAsync(lead, ServiceEngine.MongoDB, "203.0.113.20", c =>
        {
            c.Status = CaseStatus.Acknowledged;
            c.RecordCount = 7;
            c.CreatedAt = Utc(2019, 5, 1);
            c.FirstNotifiedAt = Utc(2019, 5, 2);
            c.FirstResponseAt = Utc(2019, 5, 3, 12);
        });
        // Opened in the last hour of 2019, notified in the first of 2020.
        await CaseAsync(lead, ServiceEngine.MongoDB, "203.0.113.21", c =>
        {
            c.Status = CaseStatus.NoResponse;
            c.CreatedAt = Utc(2019, 12, 31, 23);
            c.FirstNotifiedAt = Utc(2020, 1, 1, 0);
        });

        var report = await _app.ExecuteAsync<TeamStatistics.Handler, TeamStatistics.Report>(h => h.HandleAsync(new TeamStatistics.Query(null)));

        Assert.Null(report.Year);
        // Other tests may have cases in earlier years; the list runs without gaps from the first of them to this year.
        var years = report.Rows.Select(r => int.Parse(r.Period, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.InRange(years[0], TeamStatistics.FirstYear, 2019);
        Assert.Equal(Enumerable.Range(years[0], _app.Time.GetUtcNow().Year - years[0] + 1), years);
        Assert.Equal(new TeamStatistics.Row("2019", 2, 1, 1, 7, 1, 1, 1.5, 0), report.Rows.Single(r => r.Period == "2019"));
        Assert.Equal(new TeamStatistics.Row("2020", 0, 1, 1, 0, 0, 0, null, 0), report.Rows.Single(r => r.Period == "2020"));
    }

    private static DateTime Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, DateTimeKind.Utc);

    /// <summary>Files a case through the app, then sets the dates and status a test needs as if its history had happened.</summary>
    private async Task CaseAsync(TestUser lead, ServiceEngine service, string host, Action<Case> history)
    {
        var reference = await _app.CreateCaseAsync(lead, form =>
        {
            form.Service = service;
            form.Host = host;
        });
        await _app.ExecuteDbContextAsync(async db =>
        {
            var stored = await db.Cases.SingleAsync(c => c.Reference == reference, TestContext.Current.CancellationToken);
            history(stored);
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
    }
}
