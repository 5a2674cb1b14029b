using System.ComponentModel.DataAnnotations;
using MimeKit;

namespace DisclosureDesk.Infrastructure.Email;

public enum SmtpSecurity
{
    /// <summary>Plain SMTP; only for a relay on the same host or a test server.</summary>
    None,
    StartTls,
    SslOnConnect,
    /// <summary>MailKit decides: implicit TLS on port 465, STARTTLS when the server offers it.</summary>
    Auto,
}

/// <summary>Who the mail is from and how it leaves. Without <c>Email:Smtp:Host</c> messages go to a pickup folder.</summary>
public sealed class EmailOptions : IValidatableObject
{
    public const string SectionName = "Email";

    [Required(ErrorMessage = "Email:FromAddress must be set.")]
    public string FromAddress { get; set; } = "disclosuredesk@localhost";

    public string FromName { get; set; } = "DisclosureDesk";

    public string? ReplyToAddress { get; set; }

    /// <summary>
    /// Where the embedded default writes <c>.eml</c> files when no SMTP host is set; relative to
    /// <c>Database:DataDirectory</c>.
    /// </summary>
    [Required(ErrorMessage = "Email:PickupDirectory must name a folder.")]
    public string PickupDirectory { get; set; } = "mail/pickup";

    public SmtpOptions Smtp { get; set; } = new();

    /// <summary>How fast mail leaves through SMTP (ADR-022); the pickup folder is not paced.</summary>
    public PacingOptions Pacing { get; set; } = new();

    public bool UsesSmtp => !string.IsNullOrWhiteSpace(Smtp.Host);

    public MailboxAddress From => new(FromName, FromAddress);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!MailboxAddress.TryParse(FromAddress, out _) || !FromAddress.Contains('@', StringComparison.Ordinal))
        {
            yield return new ValidationResult($"Email:FromAddress '{FromAddress}' is not an email address.", [nameof(FromAddress)]);
        }
        if (!string.IsNullOrWhiteSpace(ReplyToAddress)
            && (!MailboxAddress.TryParse(ReplyToAddress, out _) || !ReplyToAddress.Contains('@', StringComparison.Ordinal)))
        {
            yield return new ValidationResult($"Email:ReplyToAddress '{ReplyToAddress}' is not an email address.", [nameof(ReplyToAddress)]);
        }
        if (Pacing.MessagesPerMinute is < 0 or > PacingOptions.MaxPerMinute)
        {
            yield return new ValidationResult($"Email:Pacing:MessagesPerMinute must be between 0 (unlimited) and {PacingOptions.MaxPerMinute}.", ["Pacing.MessagesPerMinute"]);
        }
        if (Pacing.PerDomainPerMinute is < 0 or > PacingOptions.MaxPerMinute)
        {
            yield return new ValidationResult($"Email:Pacing:PerDomainPerMinute must be between 0 (unlimited) and {PacingOptions.MaxPerMinute}.", ["Pacing.PerDomainPerMinute"]);
        }
        if (Pacing.MaxWaitSeconds is < 0 or > PacingOptions.MaxWaitLimit)
        {
            yield return new ValidationResult($"Email:Pacing:MaxWaitSeconds must be between 0 and {PacingOptions.MaxWaitLimit}.", ["Pacing.MaxWaitSeconds"]);
        }
        if (!UsesSmtp)
        {
            yield break;
        }
        if (Smtp.Port is < 1 or > 65535)
        {
            yield return new ValidationResult("Email:Smtp:Port must be between 1 and 65535.", ["Smtp.Port"]);
        }
        if (!Enum.IsDefined(Smtp.Security))
        {
            yield return new ValidationResult("Email:Smtp:Security must be None, StartTls, SslOnConnect or Auto.", ["Smtp.Security"]);
        }
        if (Smtp.TimeoutSeconds is < 1 or > 600)
        {
            yield return new ValidationResult("Email:Smtp:TimeoutSeconds must be between 1 and 600.", ["Smtp.TimeoutSeconds"]);
        }
        if (string.IsNullOrEmpty(Smtp.UserName) != string.IsNullOrEmpty(Smtp.Password))
        {
            yield return new ValidationResult("Email:Smtp:UserName and Email:Smtp:Password must be set together.", ["Smtp.UserName", "Smtp.Password"]);
        }
    }
}

public sealed class SmtpOptions
{
    /// <summary>Empty: no SMTP, messages go to the pickup folder.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    /// <summary>For each SMTP command and reply; a server slower than this counts as unreachable (or the outcome as unknown).</summary>
    public int TimeoutSeconds { get; set; } = 60;
}

/// <summary>
/// Rates that keep a large batch (a campaign) from getting the sender blocked: receiving servers throttle or
/// blocklist a source that sends too much at once, overall or to one domain. 0 means unlimited.
/// </summary>
public sealed class PacingOptions
{
    public const int MaxPerMinute = 60_000;
    public const int MaxWaitLimit = 60;

    /// <summary>All messages together. The default (10 a second) is far above what one researcher's cases send.</summary>
    public int MessagesPerMinute { get; set; } = 600;

    /// <summary>Messages to one recipient domain (the part after the @; a message to several domains counts for each).</summary>
    public int PerDomainPerMinute { get; set; } = 60;

    /// <summary>
    /// How long a delivery run may wait for the next sending slot before it ends and leaves the rest to a run
    /// scheduled at that slot; Hangfire looks for scheduled jobs every 5 seconds, so shorter waits are cheaper in the run.
    /// </summary>
    public int MaxWaitSeconds { get; set; } = 5;
}
