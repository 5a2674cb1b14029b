using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Infrastructure.Email;

namespace DisclosureDesk.Features.Responses.Mail;

/// <summary>The mailbox the owners' replies arrive in. Without <c>Inbound:Imap:Host</c> nothing is read.</summary>
public sealed class InboundOptions : IValidatableObject
{
    public const string SectionName = "Inbound";

    public ImapOptions Imap { get; set; } = new();

    /// <summary>The folder to read; it is only read, never changed (messages stay, flags stay).</summary>
    [Required(ErrorMessage = "Inbound:Folder must name a folder.")]
    public string Folder { get; set; } = "INBOX";

    /// <summary>How often the mailbox is polled, in minutes.</summary>
    [Range(1, 59, ErrorMessage = "Inbound:PollMinutes must be between 1 and 59.")]
    public int PollMinutes { get; set; } = 5;

    /// <summary>Larger messages are quarantined without being downloaded.</summary>
    [Range(1_024, 100 * 1024 * 1024, ErrorMessage = "Inbound:MaxMessageBytes must be between 1024 and 104857600.")]
    public long MaxMessageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>At most this many messages per poll; the rest wait for the next one.</summary>
    [Range(1, 10_000, ErrorMessage = "Inbound:BatchSize must be between 1 and 10000.")]
    public int BatchSize { get; set; } = 200;

    public bool Enabled => !string.IsNullOrWhiteSpace(Imap.Host);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enabled)
        {
            yield break;
        }
        if (Imap.Port is < 1 or > 65535)
        {
            yield return new ValidationResult("Inbound:Imap:Port must be between 1 and 65535.", ["Imap.Port"]);
        }
        if (!Enum.IsDefined(Imap.Security))
        {
            yield return new ValidationResult("Inbound:Imap:Security must be None, StartTls, SslOnConnect or Auto.", ["Imap.Security"]);
        }
        if (string.IsNullOrEmpty(Imap.UserName) || string.IsNullOrEmpty(Imap.Password))
        {
            yield return new ValidationResult("Inbound:Imap:UserName and Inbound:Imap:Password must be set when Inbound:Imap:Host is.", ["Imap.UserName", "Imap.Password"]);
        }
        if (Imap.TimeoutSeconds is < 1 or > 600)
        {
            yield return new ValidationResult("Inbound:Imap:TimeoutSeconds must be between 1 and 600.", ["Imap.TimeoutSeconds"]);
        }
    }
}

public sealed class ImapOptions
{
    /// <summary>Empty: inbound mail is off.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 993;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.SslOnConnect;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public int TimeoutSeconds { get; set; } = 60;
}
