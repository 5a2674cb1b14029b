using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Users;

/// <summary>Lockout, sign-in rate limits and how soon a changed or disabled account loses its open sessions.</summary>
public sealed class AccountSecurityOptions
{
    public const string SectionName = "Accounts";

    /// <summary>Wrong passwords or codes in a row before the account is locked.</summary>
    [Range(1, 100)]
    public int MaxFailedAccessAttempts { get; set; } = 5;

    [Range(1, 1440)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>
    /// How often a sign-in cookie and an open Blazor circuit re-read the account; disabling an account or changing
    /// its role ends its sessions within this time.
    /// </summary>
    [Range(1, 3600)]
    public int SessionValidationSeconds { get; set; } = 60;

    /// <summary>Form posts to the account pages (sign-in, two-factor codes, registration, password reset) per client address and window.</summary>
    [Range(1, 1_000_000)]
    public int AttemptsPerAddress { get; set; } = 30;

    /// <summary>Sign-in attempts, two-factor codes and reset or confirmation mails per account name and window, whether the account exists or not.</summary>
    [Range(1, 1_000_000)]
    public int AttemptsPerAccount { get; set; } = 10;

    [Range(1, 1440)]
    public int AttemptWindowMinutes { get; set; } = 5;

    public TimeSpan SessionValidationInterval => TimeSpan.FromSeconds(SessionValidationSeconds);

    public TimeSpan AttemptWindow => TimeSpan.FromMinutes(AttemptWindowMinutes);
}
