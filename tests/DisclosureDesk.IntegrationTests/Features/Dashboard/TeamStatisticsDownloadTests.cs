using System.Net;
using System.Text.Json;
using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Features.Dashboard;

/// <summary>The team statistics as files: what an administrator downloads, and what everyone else gets instead.</summary>
[Collection(typeof(SqliteCollection))]
public sealed class TeamStatisticsDownloadTests(SqliteDisclosureDeskFactory app)
{
    [Fact]
    public async Task DownloadCsv_AdministratorOneYear_GivesTheMonthsAsCsv()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var administrator = await app.CreateAdministratorAsync("stats-csv");
        await CaseInJuneAsync(administrator, 2018);
        var browser = await app.SignInAsync(administrator);

        using var response = await browser.GetAsync(new Uri("/admin/statistics.csv?year=2018", UriKind.Relative), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("disclosuredesk-statistics-2018.csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var lines = (await response.Content.ReadAsStringAsync(cancellationToken)).Split("\r\n");
        Assert.Equal("period,cases_opened,owners_notified,hosts_notified,records_exposed,owners_responded,response_rate,median_days_to_first_response,cases_closed", lines[0]);
        Assert.Equal("2018-06,1,1,1,4200,1,1,2,0", lines[6]);
        Assert.Equal("2018-07,0,0,0,0,0,,,0", lines[7]);
        Assert.Equal(14, lines.Length);
        Assert.Equal("", lines[13]);
    }

    [Fact]
    public async Task DownloadJson_AdministratorOneYear_GivesTheSameFigures()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var administrator = await app.CreateAdministratorAsync("stats-json");
        await CaseInJuneAsync(administrator, 2017);
        var browser = await app.SignInAsync(administrator);

        using var response = await browser.GetAsync(new Uri("/admin/statistics.json?year=2017", UriKind.Relative), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        Assert.Equal(2017, json.RootElement.GetProperty("year").GetInt32());
        var june = json.RootElement.GetProperty("rows")[5];
        Assert.Equal("2017-06", june.GetProperty("period").GetString());
        Assert.Equal(4200, june.GetProperty("records_exposed").GetInt64());
        Assert.Equal(2, june.GetProperty("median_days_to_first_response").GetDouble());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("rows")[6].GetProperty("response_rate").ValueKind);
    }

    [Theory]
    [InlineData("/admin/statistics.csv")]
    [InlineData("/admin/statistics.json?year=2018")]
    public async Task Download_Researcher_IsForbiddenAndGetsNoFigures(string url)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var browser = await app.SignInAsync(await app.CreateResearcherAsync("stats-refused"));

        using var response = await browser.GetAsync(new Uri(url, UriKind.Relative), cancellationToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.Equal("Team statistics are for administrators.", body);
    }

    [Theory]
    [InlineData("1999")]
    [InlineData("twenty")]
    [InlineData("-2018")]
    public async Task Download_BadYear_IsABadRequestThatSaysWhichYearsAreAllowed(string year)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var browser = await app.SignInAsync(await app.CreateAdministratorAsync("stats-bad-year"));

        using var response = await browser.GetAsync(new Uri($"/admin/statistics.csv?year={Uri.EscapeDataString(year)}", UriKind.Relative), cancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"The year must be a number from 2000 to {app.Time.GetUtcNow().Year + 1}", await response.Content.ReadAsStringAsync(cancellationToken), StringComparison.Ordinal);
    }

    /// <summary>
    /// One case of June of <paramref name="year"/>, answered two days after the notification. Each test has a year of
    /// its own, which no other test's clock reaches, so its figures are exactly its own.
    /// </summary>
    private async Task CaseInJuneAsync(TestUser lead, int year)
    {
        var reference = await app.CreateCaseAsync(lead, form =>
        {
            form.Host = "198.51.100.18";
            form.RecordCount = 4200;
        });
        await app.ExecuteDbContextAsync(async db =>
        {
            var stored = await db.Cases.SingleAsync(c => c.Reference == reference, TestContext.Current.CancellationToken);
            stored.Status = CaseStatus.Acknowledged;
            stored.CreatedAt = new DateTime(year, 6, 1, 8, 0, 0, DateTimeKind.Utc);
            stored.FirstNotifiedAt = new DateTime(year, 6, 2, 8, 0, 0, DateTimeKind.Utc);
            stored.FirstResponseAt = new DateTime(year, 6, 4, 8, 0, 0, DateTimeKind.Utc);
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
    }
}
