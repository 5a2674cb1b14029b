using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Notifications;

/// <summary>The emails DisclosureDesk sends a researcher about their own cases; each can be switched off.</summary>
[Flags]
public enum ReminderKinds
{
    None = 0,
    [Display(Name = "7 days before a disclosure deadline")] WeekBefore = 1,
    [Display(Name = "1 day before a disclosure deadline")] DayBefore = 2,
    [Display(Name = "Daily digest of overdue items")] OverdueDigest = 4,
}
