using System.ComponentModel.DataAnnotations;
using System.Net.Mail;

namespace DisclosureDesk.Features.Cases;

/// <summary>
/// A single address that mail can be sent to: exactly one mailbox, a domain with a dot, no display name,
/// no line breaks (which could inject headers) and no more than the 254 characters SMTP allows.
/// DataAnnotations' own [EmailAddress] only checks for an "@".
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DeliverableEmailAttribute() : ValidationAttribute("Enter one email address, like security@example.com.")
{
    public override bool IsValid(object? value) => value is not string s || string.IsNullOrWhiteSpace(s) || IsDeliverable(s);

    public static bool IsDeliverable(string value)
    {
        var address = value.Trim();
        return address.Length <= CaseLimits.EmailLength
            && !address.Any(char.IsControl)
            && MailAddress.TryCreate(address, out var parsed)
            && parsed.Address == address
            && string.IsNullOrEmpty(parsed.DisplayName)
            && parsed.Host.Contains('.', StringComparison.Ordinal)
            && !parsed.Host.StartsWith('.') && !parsed.Host.EndsWith('.');
    }
}
