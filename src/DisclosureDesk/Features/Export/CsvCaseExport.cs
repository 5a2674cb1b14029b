using System.Globalization;

namespace DisclosureDesk.Features.Export;

/// <summary>The timeline as CSV (RFC 4180: CRLF rows, fields quoted when they must be, quotes doubled).</summary>
public static class CsvCaseExport
{
    public static async Task WriteAsync(CaseExportDocument d, Stream destination, CancellationToken cancellationToken = default)
    {
        var output = new ExportOutput(destination);
        await using var s = output.CreateTextWriter();
        Row(s, "sequence", "occurred_at", "type", "visibility", "actor", "text", "hash");
        await foreach (var e in d.Events.WithCancellation(cancellationToken))
        {
            Row(s, e.Sequence.ToString(CultureInfo.InvariantCulture), e.OccurredAt, e.Type, e.Visibility, e.ActorName, e.Text, e.Hash);
            await output.SendWhenFullAsync(s, cancellationToken);
        }
        await s.FlushAsync(cancellationToken);
        await output.SendAsync(cancellationToken);
    }

    private static void Row(TextWriter s, params ReadOnlySpan<string> cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                s.Write(',');
            }
            s.Write(Field(cells[i]));
        }
        s.Write("\r\n");
    }

    /// <summary>
    /// A cell a spreadsheet would run as a formula (=, +, -, @, and tab or CR which some treat alike) gets a
    /// leading apostrophe, so opening an export cannot execute text an owner or attacker wrote.
    /// </summary>
    public static string Field(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}
