using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Identity;

namespace DisclosureDesk.Infrastructure.Data;

public class ApplicationUser : IdentityUser
{
    [PersonalData]
    [StringLength(100)]
    public string? DisplayName { get; set; }

    /// <summary>IANA time zone the user reads times in; instants are stored in UTC.</summary>
    [PersonalData]
    [StringLength(64)]
    public string TimeZoneId { get; set; } = "UTC";

    /// <summary>The reminder emails the user switched off; none by default, so a new account gets them all.</summary>
    public Features.Notifications.ReminderKinds RemindersOff { get; set; }

    /// <summary>Set by an administrator; a disabled user cannot sign in and loses open sessions.</summary>
    public bool IsDisabled { get; set; }

    public DateTime RegisteredAt { get; set; }

    public string Label => string.IsNullOrWhiteSpace(DisplayName) ? UserName ?? Id : DisplayName;
}
