namespace DisclosureDesk.Features.Notifications;

/// <summary>The emails DisclosureDesk sends a researcher about their own cases; each can be switched off.</summary>
[Flags]
public enum ReminderKinds
{
    None = 0,
    /// <summary>The deadline reminder 7 days before.</summary>
    WeekBefore = 1,
    /// <summary>The deadline reminder 1 day before.</summary>
    DayBefore = 2,
    OverdueDigest = 4,
}
