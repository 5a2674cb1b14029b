using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// A standalone, print-ready page: inline CSS only (it must open the same offline, years later), print rules
/// for a clean PDF from the browser, and every value HTML-encoded, since titles and event texts come from
/// researchers, owners and whoever wrote to the case.
/// </summary>
public static class HtmlCaseExport
{
    // All of Unicode stays readable; markup characters, quotes and controls are still encoded.
    private static readonly HtmlEncoder Encoder = HtmlEncoder.Create(UnicodeRanges.All);

    private const string Style = """
        :root { color-scheme: light; }
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; background: #fff; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; line-height: 1.45; }
        header { border-bottom: 2px solid #1a1a1a; margin-bottom: 1.5rem; }
        .reference { color: #555; font-size: .9rem; margin: 0; }
        h1 { font-size: 1.6rem; margin: .25rem 0 .75rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid #ccc; }
        .summary, td.text { white-space: pre-wrap; overflow-wrap: anywhere; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        table { border-collapse: collapse; width: 100%; font-size: .9rem; }
        th, td { border: 1px solid #ccc; padding: .3rem .45rem; text-align: left; vertical-align: top; }
        thead th { background: #f0f0f0; }
        td.date { white-space: nowrap; }
        code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; overflow-wrap: anywhere; }
        footer { margin-top: 2rem; color: #555; font-size: .8rem; }
        button.print { float: right; margin-top: .25rem; padding: .3rem .8rem; }
        @page { size: A4; margin: 16mm 14mm; }
        @media print {
          body { margin: 0; max-width: none; padding: 0; font-size: 10.5pt; }
          .no-print, button { display: none !important; }
          a { color: inherit; text-decoration: none; }
          a[href]::after { content: " (" attr(href) ")"; font-size: .85em; overflow-wrap: anywhere; }
          h1, h2 { break-after: avoid; page-break-after: avoid; }
          thead { display: table-header-group; }
          tr, dl.facts, .chain { break-inside: avoid; page-break-inside: avoid; }
          thead th { background: none; }
        }
        """;

    public static async Task WriteAsync(CaseExportDocument d, Stream destination, CancellationToken cancellationToken = default)
    {
        var c = d.Case;
        var output = new ExportOutput(destination);
        await using var s = output.CreateTextWriter();
        s.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        s.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        s.Write("<meta name=\"generator\" content=\"DisclosureDesk\">\n");
        s.Write("<title>");
        Text(s, $"{c.Reference} · {c.Title}");
        s.Write("</title>\n<style>\n");
        s.Write(Style);
        s.Write("\n</style>\n</head>\n<body>\n<header>\n");
        s.Write("<button type=\"button\" class=\"print no-print\" onclick=\"window.print()\">Print</button>\n");
        s.Write("<p class=\"reference\">");
        Text(s, $"{c.Reference} · {d.Profile.Name()} export");
        s.Write("</p>\n<h1>");
        Text(s, c.Title);
        s.Write("</h1>\n</header>\n");

        s.Write("<section>\n<h2>Summary</h2>\n<p class=\"summary\">");
        Text(s, string.IsNullOrWhiteSpace(c.Summary) ? "No summary yet." : c.Summary.Trim());
        s.Write("</p>\n</section>\n");

        s.Write("<section>\n<h2>Facts</h2>\n<dl class=\"facts\">\n");
        Fact(s, "Reference", c.Reference);
        Fact(s, "Status", c.Status == c.OpenOrClosed ? c.Status : $"{c.Status} ({c.OpenOrClosed})");
        Fact(s, "Service", c.Service);
        Fact(s, "Host", c.Host);
        Fact(s, "Port", c.Port?.ToString(CultureInfo.InvariantCulture));
        Fact(s, "Organisation", c.Organization);
        Fact(s, "Records exposed", c.RecordCount?.ToString("N0", CultureInfo.InvariantCulture));
        Fact(s, "Severity", c.Severity);
        Fact(s, "Tags", c.Tags);
        Fact(s, "Opened", Date(c.CreatedAt));
        Fact(s, "First notified", c.FirstNotifiedAt is { } notified ? Date(notified) : null);
        Fact(s, "Closed", c.ClosedAt is { } closed ? Date(closed) : null);
        Fact(s, "Lead", d.Team.FirstOrDefault(m => m.IsLead)?.Name);
        Fact(s, "Team", string.Join(", ", d.Team.Select(m => m.Email is null ? m.Name : $"{m.Name} <{m.Email}>")));
        foreach (var contact in d.Contacts)
        {
            Fact(s, "Owner contact", string.Join(", ", new[] { contact.Name, contact.Email, contact.Role }.Where(v => !string.IsNullOrEmpty(v)))
                + (contact.Verified ? " (verified)" : ""));
        }
        foreach (var f in d.Evidence)
        {
            Fact(s, "Evidence", $"{f.FileName} ({f.Kind}, {f.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes, SHA-256 {f.Sha256})");
        }
        s.Write("</dl>\n</section>\n");

        s.Write("<section>\n<h2>Timeline</h2>\n<table>\n<thead><tr><th scope=\"col\">Date (UTC)</th><th scope=\"col\">Type</th><th scope=\"col\">By</th><th scope=\"col\">Event</th></tr></thead>\n<tbody>\n");
        var rows = 0;
        await foreach (var e in d.Events.WithCancellation(cancellationToken))
        {
            s.Write("<tr><td class=\"date\">");
            s.Write(e.OccurredAtUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            s.Write("</td><td>");
            Text(s, e.Type);
            s.Write("</td><td>");
            Text(s, e.ActorName);
            s.Write("</td><td class=\"text\">");
            Text(s, e.Text);
            s.Write("</td></tr>\n");
            rows++;
            await output.SendWhenFullAsync(s, cancellationToken);
        }
        if (rows == 0)
        {
            s.Write("<tr><td colspan=\"4\">No events in this export.</td></tr>\n");
        }
        s.Write("</tbody>\n</table>\n</section>\n");

        s.Write("<section class=\"chain\">\n<h2>Audit chain</h2>\n<dl class=\"facts\">\n");
        Fact(s, "Head sequence", d.Chain.HeadSequence.ToString(CultureInfo.InvariantCulture));
        s.Write("<dt>Head hash</dt><dd><code>");
        Text(s, d.Chain.HeadHash);
        s.Write("</code></dd>\n");
        Fact(s, "Complete", d.Chain.Complete
            ? "Yes: every event of the case is listed."
            : "No: this profile leaves events out; the full export ends at the same head hash.");
        s.Write("</dl>\n</section>\n");

        s.Write("<footer>");
        Text(s, $"Generated by DisclosureDesk on {CaseExportDocument.Instant(d.GeneratedAt)} for {d.Author}.");
        s.Write("</footer>\n</body>\n</html>\n");
        await s.FlushAsync(cancellationToken);
        await output.SendAsync(cancellationToken);
    }

    private static void Text(TextWriter s, string value) => Encoder.Encode(s, value);

    private static void Fact(TextWriter s, string label, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        s.Write("<dt>");
        Text(s, label);
        s.Write("</dt><dd>");
        Text(s, value);
        s.Write("</dd>\n");
    }

    private static string Date(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
