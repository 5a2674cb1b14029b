using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

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
        var csv = new StringBuilder();
        AppendRow(csv, CsvHeader);
        foreach (var row in report.Rows)
        {
            AppendRow(csv,
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

    /// <summary>
    /// One CSV cell. A cell a spreadsheet would run as a formula (=, +, -, @, and tab or CR, which some treat alike)
    /// gets a leading apostrophe, so opening the file can never execute it; quotes per RFC 4180.
    /// </summary>
    public static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void AppendRow(StringBuilder csv, IReadOnlyList<string> cells)
    {
        csv.AppendJoin(',', cells.Select(Cell)).Append("\r\n");
    }
}
