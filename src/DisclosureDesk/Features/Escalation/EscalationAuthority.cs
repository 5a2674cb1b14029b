using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Escalation;

public enum AuthorityKind
{
    [Display(Name = "National CERT")] NationalCert = 0,
    [Display(Name = "Data-protection authority")] DataProtectionAuthority = 1,
}

/// <summary>
/// A national CERT or data-protection authority the team escalates to when an owner and its provider stay silent.
/// Entered by administrators, never scraped: a wrong address here sends a case's details to a stranger. Retired
/// rather than deleted, so an escalation that once went to it still names who it went to.
/// </summary>
public class EscalationAuthority
{
    public int Id { get; set; }
    public AuthorityKind Kind { get; set; }

    /// <summary>ISO 3166-1 alpha-2, upper case: matched against a case's affected country.</summary>
    public string CountryCode { get; set; } = "";
    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string? Website { get; set; }

    /// <summary>How this authority wants to be approached: a web form first, a language, office hours.</summary>
    public string? Notes { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public string UpdatedByName { get; set; } = "";
    public DateTime? RetiredAt { get; set; }
}
