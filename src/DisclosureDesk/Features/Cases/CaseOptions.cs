using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Cases;

public sealed class CaseOptions
{
    public const string SectionName = "Cases";

    /// <summary>Prefix of case ids, e.g. DD in DD-2026-00001.</summary>
    [Required]
    [RegularExpression("^[A-Z][A-Z0-9]{0,9}$", ErrorMessage = "Cases:ReferencePrefix must be 1-10 upper-case letters or digits, starting with a letter.")]
    public string ReferencePrefix { get; set; } = "DD";
}
