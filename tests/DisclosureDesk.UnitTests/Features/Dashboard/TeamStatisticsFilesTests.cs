using System.Text;
using DisclosureDesk.Features.Dashboard;

namespace DisclosureDesk.UnitTests.Features.Dashboard;

public sealed class TeamStatisticsFilesTests
{
    [Fact]
    public void Csv_Report_WritesTheHeaderAndOneRowPerPeriodWithEmptyCellsForMissingFigures()
    {
        var report = new TeamStatistics.Report(new DateTime(2026, 3, 14, 0, 0, 0, DateTimeKind.Utc), null,
        [
            new TeamStatistics.Row("2025", 10, 8, 7, 1_234_567, 6, 0.75, 2.5, 9),
            new TeamStatistics.Row("2026", 1, 0, 0, 0, 0, null, null, 0),
        ]);

        var csv = Encoding.UTF8.GetString(TeamStatisticsFiles.Csv(report));

        Assert.Equal(
            "period,cases_opened,owners_notified,hosts_notified,records_exposed,owners_responded,response_rate,median_days_to_first_response,cases_closed\r\n" +
            "2025,10,8,7,1234567,6,0.75,2.5,9\r\n" +
            "2026,1,0,0,0,0,,,0\r\n",
            csv);
        Assert.Equal("disclosuredesk-statistics.csv", TeamStatisticsFiles.FileName(report, "csv"));
    }

    [Theory]
    [InlineData(null, true, null)]
    [InlineData("", true, null)]
    [InlineData("2026", true, 2026)]
    [InlineData("2027", true, 2027)]
    [InlineData("2028", false, null)]
    [InlineData("1999", false, null)]
    [InlineData("20x6", false, null)]
    [InlineData(" 2026", false, null)]
    public void TryParseYear_Text_AcceptsOnlyYearsFrom2000ToNextYear(string? text, bool valid, int? expected)
    {
        var ok = TeamStatistics.TryParseYear(text, new DateTime(2026, 3, 14, 0, 0, 0, DateTimeKind.Utc), out var year, out var error);

        Assert.Equal(valid, ok);
        Assert.Equal(expected, year);
        Assert.Equal(valid, error is null);
    }
}
