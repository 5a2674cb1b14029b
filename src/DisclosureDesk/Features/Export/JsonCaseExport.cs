using System.Text.Encodings.Web;
using System.Text.Json;

namespace DisclosureDesk.Features.Export;

/// <summary>The JSON export: the case and its exported events with their hashes (format in docs/export-format.md).</summary>
public static class JsonCaseExport
{
    public const string FormatName = "disclosuredesk-case-export";
    public const int FormatVersion = 1;

    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(CaseExportDocument d, Stream destination, CancellationToken cancellationToken = default)
    {
        var output = new ExportOutput(destination);
        await using var w = new Utf8JsonWriter(output.Chunk, Options);
        w.WriteStartObject();
        w.WriteString("format", FormatName);
        w.WriteNumber("formatVersion", FormatVersion);
        w.WriteString("profile", d.Profile.Name());
        w.WriteString("generatedAt", CaseExportDocument.Instant(d.GeneratedAt));
        w.WriteString("author", d.Author);

        var c = d.Case;
        w.WriteStartObject("case");
        w.WriteString("reference", c.Reference);
        w.WriteString("title", c.Title);
        w.WriteString("summary", c.Summary);
        w.WriteString("status", c.Status);
        w.WriteString("openOrClosed", c.OpenOrClosed);
        WriteIfPresent(w, "severity", c.Severity);
        WriteIfPresent(w, "tags", c.Tags);
        w.WriteString("service", c.Service);
        w.WriteString("host", c.Host);
        if (c.Port is { } port)
        {
            w.WriteNumber("port", port);
        }
        WriteIfPresent(w, "organization", c.Organization);
        if (c.RecordCount is { } records)
        {
            w.WriteNumber("recordCount", records);
        }
        w.WriteString("createdAt", CaseExportDocument.Instant(c.CreatedAt));
        w.WriteString("firstNotifiedAt", c.FirstNotifiedAt is { } notified ? CaseExportDocument.Instant(notified) : null);
        w.WriteString("closedAt", c.ClosedAt is { } closed ? CaseExportDocument.Instant(closed) : null);
        w.WriteEndObject();

        w.WriteStartArray("team");
        foreach (var m in d.Team)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            WriteIfPresent(w, "email", m.Email);
            w.WriteBoolean("lead", m.IsLead);
            w.WriteEndObject();
        }
        w.WriteEndArray();

        if (d.Profile != ExportProfile.Public)
        {
            w.WriteStartArray("contacts");
            foreach (var contact in d.Contacts)
            {
                w.WriteStartObject();
                w.WriteString("name", contact.Name);
                w.WriteString("email", contact.Email);
                w.WriteString("role", contact.Role);
                w.WriteBoolean("verified", contact.Verified);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (d.Profile == ExportProfile.Full)
        {
            w.WriteStartArray("evidence");
            foreach (var f in d.Evidence)
            {
                w.WriteStartObject();
                w.WriteString("fileName", f.FileName);
                w.WriteString("kind", f.Kind);
                w.WriteString("contentType", f.ContentType);
                w.WriteNumber("length", f.Length);
                w.WriteString("sha256", f.Sha256);
                w.WriteString("description", f.Description);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        w.WriteStartObject("chain");
        w.WriteNumber("canonicalVersion", 1);
        w.WriteString("genesisHash", d.Chain.GenesisHash);
        w.WriteNumber("headSequence", d.Chain.HeadSequence);
        w.WriteString("headHash", d.Chain.HeadHash);
        w.WriteBoolean("complete", d.Chain.Complete);
        w.WriteString("note", d.Chain.Complete
            ? "Every event of the case is included: the chain verifies end to end, from the genesis hash to headHash."
            : "Events this profile leaves out are gaps in the sequence. Each included event that is not marked redacted still "
              + "hashes to its own hash, consecutive events still link, and the last event of the chain, when included, hashes to "
              + "headHash; the team can prove any gap with the full export, whose chain ends at the same headHash.");
        w.WriteEndObject();

        w.WriteStartArray("events");
        await foreach (var e in d.Events.WithCancellation(cancellationToken))
        {
            w.WriteStartObject();
            w.WriteNumber("sequence", e.Sequence);
            w.WriteString("occurredAt", e.OccurredAt);
            w.WriteString("actorId", e.ActorId);
            w.WriteString("actorName", e.ActorName);
            w.WriteString("type", e.Type);
            w.WriteString("visibility", e.Visibility);
            w.WriteString("text", e.Text);
            w.WriteString("changes", e.Changes);
            w.WriteString("previousHash", e.PreviousHash);
            w.WriteString("hash", e.Hash);
            w.WriteBoolean("redacted", e.Redacted);
            w.WriteEndObject();
            if (w.BytesPending + output.Buffered >= ExportOutput.ChunkSize)
            {
                w.Flush();
                await output.SendAsync(cancellationToken);
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        await output.SendAsync(cancellationToken);
    }

    private static void WriteIfPresent(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }
}
