namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// When a researcher's reminders are due, as calendar days and wall-clock hours in the researcher's time zone:
/// "7 days before" means the local date seven days before the deadline's local date, at the reminder hour,
/// whatever daylight-saving change lies in between (so never 24 × 7 hours before).
/// </summary>
public static class ReminderSchedule
{
    /// <summary>A reminder and the UTC interval in which it is due; a run inside the interval sends it (once).</summary>
    public sealed record Window(ReminderKinds Kind, int DaysBefore, DateOnly DeadlineDate, DateTime From, DateTime Until);

    public static IReadOnlyList<(ReminderKinds Kind, int DaysBefore)> DeadlineReminders { get; } =
    [
        (ReminderKinds.WeekBefore, 7),
        (ReminderKinds.DayBefore, 1),
    ];

    /// <summary>
    /// The deadline reminders of <paramref name="deadline"/>: each due from its day's <paramref name="hour"/> until the
    /// next one starts (the last until the deadline), so a run missed while the app was down is made up later.
    /// </summary>
    public static IReadOnlyList<Window> For(DateTime deadline, TimeZoneInfo zone, int hour)
    {
        var deadlineDate = LocalDate(deadline, zone);
        var starts = DeadlineReminders.Select(r => AtLocal(deadlineDate.AddDays(-r.DaysBefore), hour, zone)).ToList();
        return DeadlineReminders.Select((r, i) => new Window(r.Kind, r.DaysBefore, deadlineDate, starts[i],
                i + 1 < starts.Count ? starts[i + 1] : Utc(deadline)))
            .ToList();
    }

    /// <summary>The reminder due at <paramref name="now"/>, or null.</summary>
    public static Window? DueAt(DateTime deadline, TimeZoneInfo zone, int hour, DateTime now) =>
        For(deadline, zone, hour).FirstOrDefault(w => w.From <= now && now < w.Until);

    /// <summary>The local calendar date of a UTC instant.</summary>
    public static DateOnly LocalDate(DateTime utc, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(Utc(utc), zone));

    /// <summary>
    /// The UTC instant of <paramref name="hour"/>:00 local time on <paramref name="date"/>. An hour skipped by a
    /// clock change counts from the first instant after the gap; an hour that occurs twice, from its first occurrence.
    /// </summary>
    public static DateTime AtLocal(DateOnly date, int hour, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(new TimeOnly(hour, 0), DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }
        var offset = zone.IsAmbiguousTime(local) ? zone.GetAmbiguousTimeOffsets(local).Max() : zone.GetUtcOffset(local);
        return DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
    }

    // EF reads SQLite dates back with Kind=Unspecified; they are stored as UTC.
    private static DateTime Utc(DateTime at) => DateTime.SpecifyKind(at, DateTimeKind.Utc);
}
