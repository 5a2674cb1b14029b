using System.Text;
using IcalCalendar = Ical.Net.Calendar;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// Calendar items as iCalendar (RFC 5545, through Ical.Net): deadlines as all-day events, scheduled emails as
/// UTC instants, all transparent (they mark dates, not busy time). Used for a case's export and a user's feed.
/// </summary>
public static class IcsCaseExport
{
    public const string ProductId = "-//DisclosureDesk//DisclosureDesk calendar//EN";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// A calendar is a handful of items and Ical.Net writes synchronously, so it is built in memory and copied out
    /// with an asynchronous write (a response body refuses synchronous ones).
    /// </summary>
    public static async Task WriteAsync(CaseExportDocument document, Stream output, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        Write(document, buffer);
        await output.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
    }

    public static void Write(CaseExportDocument document, Stream stream) =>
        Write(document.Calendar, $"{document.Case.Reference}: {document.Case.Title}", document.GeneratedAt, stream);

    /// <param name="stamp">DTSTAMP of every event: when this file was generated.</param>
    public static void Write(IEnumerable<CalendarItem> items, string name, DateTime stamp, Stream stream)
    {
        var calendar = new IcalCalendar { ProductId = ProductId, Method = "PUBLISH" };
        calendar.AddProperty("X-WR-CALNAME", name);
        var dtStamp = new CalDateTime(DateTime.SpecifyKind(stamp, DateTimeKind.Utc), "UTC");
        foreach (var item in items)
        {
            var e = new CalendarEvent
            {
                Uid = item.Uid,
                DtStamp = dtStamp,
                Sequence = item.Sequence,
                Summary = item.Summary,
                Description = item.Description,
                Transparency = "TRANSPARENT",
            };
            if (item.Day is { } day)
            {
                e.DtStart = new CalDateTime(day);
                e.DtEnd = new CalDateTime(day.AddDays(1));
            }
            else
            {
                // No end: an instant (RFC 5545 3.6.1), the moment the email is due.
                e.DtStart = new CalDateTime(item.AtUtc!.Value, "UTC");
            }
            calendar.Events.Add(e);
        }
        new CalendarSerializer().Serialize(calendar, stream, Utf8);
    }
}
