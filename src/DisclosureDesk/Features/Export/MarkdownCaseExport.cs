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
    /// <remarks>The events appear twice (front matter, then the table), so they are read twice rather than held.</remarks>
    public static async Task WriteAsync(CaseExportDocument d, Stream destination, CancellationToken cancellationToken = default)
    {
        var c = d.Case;
        var lead = d.Team.FirstOrDefault(m => m.IsLead)?.Name ?? "";
        var output = new ExportOutput(destination);
        await using var s = output.CreateTextWriter();
        s.Write("---\n");
        s.Write("id: "); s.Write(Quote(c.Reference)); s.Write('\n');
        s.Write("title: "); s.Write(Quote(c.Title)); s.Write('\n');
        s.Write("author: "); s.Write(Quote(d.Author)); s.Write('\n');
        s.Write("lead: "); s.Write(Quote(lead)); s.Write('\n');
        s.Write("researchers:\n");
        foreach (var m in d.Team)
        {
            s.Write("- "); s.Write(Quote(m.Name)); s.Write('\n');
        }
        s.Write("status: "); s.Write(c.OpenOrClosed); s.Write('\n');
        s.Write("start: "); s.Write(Date(c.CreatedAt)); s.Write('\n');
        s.Write("end:"); s.Write(c.ClosedAt is { } closed ? " " + Date(closed) : ""); s.Write('\n');
        // An empty list must still read as a list, and whether there is any event is only known once one arrives.
        s.Write("timeline:");
        var anyEvent = false;
        await foreach (var e in d.Events.WithCancellation(cancellationToken))
        {
            s.Write(anyEvent ? "- start: " : "\n- start: ");
            anyEvent = true; s.Write(Date(e.OccurredAtUtc)); s.Write('\n');
            s.Write("  end:\n");
            s.Write("  event: "); s.Write(Quote(e.Text)); s.Write('\n');
            await output.SendWhenFullAsync(s, cancellationToken);
        }
        s.Write(anyEvent ? "" : " []\n");
        // A public export's host is already a masked address or nothing; elsewhere a host name is not an IP.
        if (c.Host is { Length: > 0 } host && (d.Profile == ExportProfile.Public || IPAddress.TryParse(host, out _)))
        {
            s.Write("ips:\n- "); s.Write(Quote(host)); s.Write('\n');
        }
        else
        {
            s.Write("ips: []\n");
        }
        s.Write("---\n\n");
        s.Write("# "); s.Write(OneLine(c.Title)); s.Write("\n\n");
        s.Write("## Summary\n\n");
        s.Write(string.IsNullOrWhiteSpace(c.Summary) ? "_No summary yet._" : c.Summary.Trim()); s.Write("\n\n");
        s.Write("## Timeline\n\n");
        s.Write("| Date | Event |\n");
        s.Write("| --- | --- |\n");
        await foreach (var e in d.Events.WithCancellation(cancellationToken))
        {
            s.Write("| "); s.Write(e.OccurredAtUtc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture));
            s.Write(" | "); s.Write(Cell(e.Text)); s.Write(" |\n");
            await output.SendWhenFullAsync(s, cancellationToken);
        }
        await s.FlushAsync(cancellationToken);
        await output.SendAsync(cancellationToken);
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
