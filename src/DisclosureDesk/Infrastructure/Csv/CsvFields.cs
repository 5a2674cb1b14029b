namespace DisclosureDesk.Infrastructure.Csv;

/// <summary>RFC 4180 CSV (CRLF rows, fields quoted when they must be, quotes doubled) that a spreadsheet cannot run.</summary>
public static class CsvFields
{
    /// <summary>
    /// One CSV cell. A cell a spreadsheet would run as a formula (=, +, -, @, and tab or CR, which some treat alike)
    /// gets a leading apostrophe, so opening the file cannot execute text an owner or attacker wrote.
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

    public static void WriteRow(TextWriter writer, params ReadOnlySpan<string> cells)
    {
        for (var i = 0; i < cells.Length; i++)
        {
            if (i > 0)
            {
                writer.Write(',');
            }
            writer.Write(Field(cells[i]));
        }
        writer.Write("\r\n");
    }
}
