using System.Text;

namespace DisclosureDesk.Features.Export;

/// <summary>The timeline as CSV (RFC 4180: CRLF rows, fields quoted when they must be, quotes doubled).</summary>
public static class CsvCaseExport
{
    public static string Render(CaseExportDocument d)
    {
        var s = new StringBuilder();
        Row(s, "sequence", "occurred_at", "type", "visibility", "actor", "text", "hash");
        foreach (var e in d.Events)
        {
            Row(s, e.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), e.OccurredAt, e.Type, e.Visibility, e.ActorName, e.Text, e.Hash);
        }
        return s.ToString();
    }

    private static void Row(StringBuilder s, params string[] cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                s.Append(',');
            }
            s.Append(Field(cells[i]));
        }
        s.Append("\r\n");
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
