using System.Globalization;
using System.Net;
using System.Text;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// A write-up skeleton: YAML front matter in the DIVD case-file style (so a coordinator's static site takes it
/// as is), then the title, the summary and a timeline table.
/// </summary>
public static class MarkdownCaseExport
{
    public static string Render(CaseExportDocument d)
    {
        var c = d.Case;
        var lead = d.Team.FirstOrDefault(m => m.IsLead)?.Name ?? "";
        var s = new StringBuilder();
        s.Append("---\n");
        s.Append("id: ").Append(Quote(c.Reference)).Append('\n');
        s.Append("title: ").Append(Quote(c.Title)).Append('\n');
        s.Append("author: ").Append(Quote(d.Author)).Append('\n');
        s.Append("lead: ").Append(Quote(lead)).Append('\n');
        s.Append("researchers:\n");
        foreach (var m in d.Team)
        {
            s.Append("- ").Append(Quote(m.Name)).Append('\n');
        }
        s.Append("status: ").Append(c.OpenOrClosed).Append('\n');
        s.Append("start: ").Append(Date(c.CreatedAt)).Append('\n');
        s.Append("end:").Append(c.ClosedAt is { } closed ? " " + Date(closed) : "").Append('\n');
        s.Append("timeline:\n");
        foreach (var e in d.Events)
        {
            s.Append("- start: ").Append(Date(e.OccurredAtUtc)).Append('\n');
            s.Append("  end:\n");
            s.Append("  event: ").Append(Quote(e.Text)).Append('\n');
        }
        s.Append("ips:\n");
        // A public export's host is already a masked address or nothing; elsewhere a host name is not an IP.
        if (c.Host is { Length: > 0 } host && (d.Profile == ExportProfile.Public || IPAddress.TryParse(host, out _)))
        {
            s.Append("- ").Append(Quote(host)).Append('\n');
        }
        s.Append("---\n\n");
        s.Append("# ").Append(OneLine(c.Title)).Append("\n\n");
        s.Append("## Summary\n\n");
        s.Append(string.IsNullOrWhiteSpace(c.Summary) ? "_No summary yet._" : c.Summary.Trim()).Append("\n\n");
        s.Append("## Timeline\n\n");
        s.Append("| Date | Event |\n");
        s.Append("| --- | --- |\n");
        foreach (var e in d.Events)
        {
            s.Append("| ").Append(e.OccurredAtUtc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))
                .Append(" | ").Append(Cell(e.Text)).Append(" |\n");
        }
        return s.ToString();
    }

    /// <summary>A YAML double-quoted scalar: quoting everything means no text can turn into YAML syntax.</summary>
    private static string Quote(string value)
    {
        var s = new StringBuilder(value.Length + 2).Append('"');
        foreach (var ch in value)
        {
            _ = ch switch
            {
                '"' => s.Append("\\\""),
                '\\' => s.Append("\\\\"),
                '\n' => s.Append("\\n"),
                '\r' => s.Append("\\r"),
                '\t' => s.Append("\\t"),
                // YAML folds these as line breaks inside a quoted scalar; its own escapes keep them.
                '\u0085' => s.Append("\\N"),
                '\u2028' => s.Append("\\L"),
                '\u2029' => s.Append("\\P"),
                < ' ' or '\u007F' => s.Append(CultureInfo.InvariantCulture, $"\\x{(int)ch:X2}"),
                _ => s.Append(ch),
            };
        }
        return s.Append('"').ToString();
    }

    private static string Date(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string OneLine(string value) => string.Join(' ', value.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    // Event texts are plain text: a static site must not render markup an owner wrote into a reply.
    private static string Cell(string value) => OneLine(value)
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal)
        .Replace("|", "\\|", StringComparison.Ordinal);
}
