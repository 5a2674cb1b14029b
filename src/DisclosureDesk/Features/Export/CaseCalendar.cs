using System.Globalization;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;

namespace DisclosureDesk.Features.Export;

/// <summary>
/// One entry of a calendar: a day (a deadline, shown all day) or an instant (a scheduled email, in UTC).
/// </summary>
/// <param name="Uid">Stable per case, kind and outbox row, so importing a newer file updates the entry instead of adding one.</param>
/// <param name="Sequence">Grows whenever the case changes (its audit chain head), so calendars accept a moved date as an update.</param>
public sealed record CalendarItem(string Uid, string Summary, string Description, DateOnly? Day, DateTime? AtUtc, int Sequence);

/// <summary>
/// The dates of one case as a profile lets them out. Full: every deadline, the last day the grace period can be
/// granted, No response, and the owner's scheduled follow-ups with their recipients and subjects. Owner: the same
/// without the grace window (the team's own decision) and without recipients or subjects. Public: the fix-by and
/// publish-after deadlines only, under the masked title.
/// </summary>
public static class CaseCalendar
{
    public const string UidDomain = "disclosuredesk";

    /// <param name="title">The title as <paramref name="profile"/> shows it (masked for a public export).</param>
    /// <param name="followUps">The case's owner follow-ups; only pending ones are listed.</param>
    /// <param name="zone">The reader's time zone: a deadline falls on the day the case page shows them.</param>
    public static IReadOnlyList<CalendarItem> For(Case @case, string title, IEnumerable<OutboxMessage> followUps, ExportProfile profile, TimeZoneInfo zone)
    {
        var items = new List<CalendarItem>();
        if (DisclosurePolicies.DatesOf(@case) is not { } dates)
        {
            return items;
        }
        var sequence = @case.LastEventSequence;
        var about = profile == ExportProfile.Public
            ? $"Case {@case.Reference}: {title}"
            : $"Case {@case.Reference}: {title}\nPolicy: {@case.DisclosurePolicy}\nStatus: {@case.Status}";
        CalendarItem Day(string kind, string what, DateTime at) =>
            new(Uid(@case.Reference, kind), $"[{@case.Reference}] {what}: {title}", about, LocalDay(at, zone), null, sequence);

        var separatePublication = dates.PublishAfter != dates.FixBy;
        var fixBy = (separatePublication ? "Fix-by deadline" : "Disclosure deadline")
                    + (@case.GraceGrantedAt is not null ? " (grace period ends)" : "");
        items.Add(Day("deadline", fixBy, dates.FixBy));
        if (separatePublication)
        {
            items.Add(Day("publish-after", "Details may be published", dates.PublishAfter));
        }
        if (profile == ExportProfile.Public)
        {
            return items;
        }

        if (profile == ExportProfile.Full && dates.GraceAvailableUntil is { } graceUntil && CaseStatusMachine.IsOpen(@case.Status))
        {
            items.Add(Day("grace-window", "Last day to grant the grace period", graceUntil));
        }
        if (@case.Status == CaseStatus.Notified && @case.NoResponseAt is { } noResponseAt)
        {
            items.Add(Day("no-response", "No response unless the owner answers", noResponseAt));
        }
        foreach (var message in followUps
                     .Where(m => m.Purpose == OutboxPurpose.OwnerFollowUp && OutboxStates.NotYetSent.Contains(m.State))
                     .OrderBy(m => m.DueAt).ThenBy(m => m.Id))
        {
            var description = profile == ExportProfile.Full
                ? $"{about}\nTo: {message.To}\nSubject: {message.Subject}"
                : $"{about}\nA follow-up email to the owner, unless they answer first.";
            items.Add(new CalendarItem(Uid(@case.Reference, "follow-up", message.Id), $"[{@case.Reference}] Follow-up to the owner: {title}",
                description, null, DateTime.SpecifyKind(message.DueAt, DateTimeKind.Utc), sequence));
        }
        return items;
    }

    public static string Uid(string reference, string kind, long? outboxId = null) =>
        outboxId is { } id
            ? $"{reference}.{kind}.{id.ToString(CultureInfo.InvariantCulture)}@{UidDomain}"
            : $"{reference}.{kind}@{UidDomain}";

    // EF reads SQLite dates back with Kind=Unspecified; they are stored as UTC.
    private static DateOnly LocalDay(DateTime utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone));
}
