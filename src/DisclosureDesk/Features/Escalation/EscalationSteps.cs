using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Escalation;

/// <summary>
/// The rungs above the owner on a case's escalation ladder, climbed in this order (the numeric order of the
/// flags). A case stores the set it climbs and the highest rung it has reached.
/// </summary>
[Flags]
public enum EscalationSteps
{
    None = 0,
    [Display(Name = "Hosting provider")] HostingProvider = 1,
    [Display(Name = "National CERT")] NationalCert = 2,
    [Display(Name = "Data-protection authority")] DataProtectionAuthority = 4,
}
