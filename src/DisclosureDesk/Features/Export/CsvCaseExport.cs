using System.Globalization;
using DisclosureDesk.Infrastructure.Csv;

namespace DisclosureDesk.Features.Export;

/// <summary>The timeline as CSV (RFC 4180: CRLF rows, fields quoted when they must be, quotes doubled).</summary>
public static class CsvCaseExport
{
    public static async Task WriteAsync(CaseExportDocument d, Stream destination, CancellationToken cancellationToken = default)
    {
        var output = new ExportOutput(destination);
        await using var s = output.CreateTextWriter();
        CsvFields.WriteRow(s, "sequence", "occurred_at", "type", "visibility", "actor", "text", "hash");
        await foreach (var e in d.Events.WithCancellation(cancellationToken))
        {
            CsvFields.WriteRow(s, e.Sequence.ToString(CultureInfo.InvariantCulture), e.OccurredAt, e.Type, e.Visibility, e.ActorName, e.Text, e.Hash);
            await output.SendWhenFullAsync(s, cancellationToken);
        }
        await s.FlushAsync(cancellationToken);
        await output.SendAsync(cancellationToken);
    }
}
