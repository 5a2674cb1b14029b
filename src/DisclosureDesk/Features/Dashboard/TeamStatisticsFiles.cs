using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using DisclosureDesk.Infrastructure.Csv;

namespace DisclosureDesk.Features.Dashboard;

/// <summary>The team statistics as downloads: JSON for programs, CSV for spreadsheets.</summary>
public static class TeamStatisticsFiles
{
    public static readonly IReadOnlyList<string> CsvHeader =
    [
        "period", "cases_opened", "owners_notified", "hosts_notified", "records_exposed", "owners_responded",
        "response_rate", "median_days_to_first_response", "cases_closed",
    ];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
    };

    public static byte[] Json(TeamStatistics.Report report) => JsonSerializer.SerializeToUtf8Bytes(report, JsonOptions);

    public static byte[] Csv(TeamStatistics.Report report)
    {
        using var csv = new StringWriter(CultureInfo.InvariantCulture);
        CsvFields.WriteRow(csv, CsvHeader.ToArray());
        foreach (var row in report.Rows)
        {
            CsvFields.WriteRow(csv,
            [
                row.Period,
                Number(row.CasesOpened),
                Number(row.OwnersNotified),
                Number(row.HostsNotified),
                Number(row.RecordsExposed),
                Number(row.OwnersResponded),
                row.ResponseRate?.ToString("0.####", CultureInfo.InvariantCulture) ?? "",
                row.MedianDaysToFirstResponse?.ToString("0.#", CultureInfo.InvariantCulture) ?? "",
                Number(row.CasesClosed),
            ]);
        }
        return Encoding.UTF8.GetBytes(csv.ToString());
    }

    public static string FileName(TeamStatistics.Report report, string extension) =>
        report.Year is { } year
            ? string.Create(CultureInfo.InvariantCulture, $"disclosuredesk-statistics-{year}.{extension}")
            : $"disclosuredesk-statistics.{extension}";

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
