using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// The case as a CSAF 2.0 informational advisory (<c>csaf_informational_advisory</c>): notes and an external
/// reference, no vulnerabilities section (CSAF 2.0 §4.2, mandatory tests 6.1.27.1–6.1.27.3). Written from the
/// same redacted document as every other format, so a public advisory masks what a public export masks.
/// </summary>
public static class CsafCaseExport
{
    public const string Category = "csaf_informational_advisory";
    public const string CsafVersion = "2.0";

    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(CaseExportDocument d, ExportOptions options, Stream destination, CancellationToken cancellationToken = default)
    {
        var c = d.Case;
        var generatedAt = CaseExportDocument.Instant(d.GeneratedAt);
        var output = new ExportOutput(destination);
        await using var w = new Utf8JsonWriter(output.Chunk, Options);
        w.WriteStartObject();
        w.WriteStartObject("document");
        w.WriteString("category", Category);
        w.WriteString("csaf_version", CsafVersion);
        w.WriteString("lang", "en");
        w.WriteString("title", c.Title);

        w.WriteStartObject("distribution");
        w.WriteString("text", d.Profile switch
        {
            ExportProfile.Public => "Public write-up: public events only, addresses masked, names and e-mail addresses removed.",
            ExportProfile.Owner => "For the owner of the affected system: owner and public events.",
            _ => "For the case team only: every event, contact and evidence file.",
        });
        w.WriteStartObject("tlp");
        w.WriteString("label", d.Profile switch
        {
            ExportProfile.Public => "WHITE",
            ExportProfile.Owner => "AMBER",
            _ => "RED",
        });
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartObject("publisher");
        w.WriteString("category", "discoverer");
        w.WriteString("name", options.PublisherName);
        w.WriteString("namespace", options.PublisherNamespace);
        w.WriteEndObject();

        w.WriteStartObject("tracking");
        w.WriteString("id", c.Reference);
        // A closed case's story is told; an open one may still change.
        w.WriteString("status", c.OpenOrClosed == "Closed" ? "final" : "interim");
        w.WriteString("version", "1");
        w.WriteString("initial_release_date", generatedAt);
        w.WriteString("current_release_date", generatedAt);
        w.WriteStartObject("generator");
        w.WriteString("date", generatedAt);
        w.WriteStartObject("engine");
        w.WriteString("name", "DisclosureDesk");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartArray("revision_history");
        w.WriteStartObject();
        w.WriteString("date", generatedAt);
        w.WriteString("number", "1");
        w.WriteString("summary", $"Exported from DisclosureDesk ({d.Profile.Name()} profile).");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartArray("notes");
        Note(w, "summary", "Summary", string.IsNullOrWhiteSpace(c.Summary) ? c.Title : c.Summary.Trim());
        Note(w, "details", "Case facts", Facts(d));

        w.WriteStartObject();
        w.WriteString("category", "details");
        w.WriteString("title", "Timeline");
        w.WritePropertyName("text");
        // One note holds the whole timeline, written in segments so no string of every event is ever built.
        var lines = 0;
        await foreach (var e in d.Events.WithCancellation(cancellationToken))
        {
            var line = $"{(lines == 0 ? "" : "\n")}{e.OccurredAtUtc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)}: {e.Text}";
            w.WriteStringValueSegment(line, isFinalSegment: false);
            lines++;
            if (w.BytesPending + output.Buffered >= ExportOutput.ChunkSize)
            {
                w.Flush();
                await output.SendAsync(cancellationToken);
            }
        }
        w.WriteStringValueSegment(lines == 0 ? "No events in this export." : "", isFinalSegment: true);
        w.WriteEndObject();

        Note(w, "general", "Audit chain",
            $"DisclosureDesk keeps the case's timeline as a SHA-256 hash chain. It ends at event {d.Chain.HeadSequence} with hash {d.Chain.HeadHash}. "
            + (d.Chain.Complete
                ? "This advisory lists every event of the case."
                : "This advisory lists only the events its profile lets out; the team can prove the rest with the full export, whose chain ends at the same hash."));
        Note(w, "legal_disclaimer", "Disclosure",
            "This advisory records a coordinated (responsible) disclosure: the issue was reported to the owner of the affected system before publication. "
            + "It is provided as is, for information, without warranty; it names no vulnerable product and carries no exploit details.");
        w.WriteEndArray();

        w.WriteStartArray("references");
        w.WriteStartObject();
        w.WriteString("category", "external");
        w.WriteString("summary", $"Case {c.Reference}");
        w.WriteString("url", options.CaseUrl(c.Reference));
        w.WriteEndObject();
        w.WriteEndArray();

        w.WriteEndObject();
        w.WriteEndObject();
        w.Flush();
        await output.SendAsync(cancellationToken);
    }

    private static void Note(Utf8JsonWriter w, string category, string title, string text)
    {
        w.WriteStartObject();
        w.WriteString("category", category);
        w.WriteString("title", title);
        w.WriteString("text", text);
        w.WriteEndObject();
    }

    private static string Facts(CaseExportDocument d)
    {
        var c = d.Case;
        var facts = new List<string>
        {
            "Status: " + (c.Status == c.OpenOrClosed ? c.Status : $"{c.Status} ({c.OpenOrClosed})"),
            $"Service: {c.Service}",
        };
        if (c.Host is not null)
        {
            facts.Add($"Host: {c.Host}" + (c.Port is { } port ? $":{port.ToString(CultureInfo.InvariantCulture)}" : ""));
        }
        if (c.Organization is not null)
        {
            facts.Add($"Organisation: {c.Organization}");
        }
        if (c.RecordCount is { } records)
        {
            facts.Add($"Records exposed: {records.ToString("N0", CultureInfo.InvariantCulture)}");
        }
        facts.Add($"Opened: {c.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        if (c.FirstNotifiedAt is { } notified)
        {
            facts.Add($"Owner first notified: {notified.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        }
        if (c.ClosedAt is { } closed)
        {
            facts.Add($"Closed: {closed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}");
        }
        return string.Join('\n', facts);
    }
}
