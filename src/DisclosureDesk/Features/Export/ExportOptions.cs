using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Export;

/// <summary>Who publishes the CSAF advisories the export writes, and where a case's own page is.</summary>
public sealed class ExportOptions : IValidatableObject
{
    public const string SectionName = "Export";

    /// <summary>CSAF <c>document.publisher.name</c>.</summary>
    [Required(ErrorMessage = "Export:PublisherName must be set.")]
    public string PublisherName { get; set; } = "DisclosureDesk";

    /// <summary>CSAF <c>document.publisher.namespace</c>: the publisher's own URL.</summary>
    [Required(ErrorMessage = "Export:PublisherNamespace must be set.")]
    public string PublisherNamespace { get; set; } = "https://disclosuredesk.example";

    /// <summary>
    /// The external reference of a CSAF advisory, with <c>{reference}</c> standing for the case reference
    /// (e.g. a coordinator's public case page). Empty: the case's page under <see cref="PublisherNamespace"/>.
    /// </summary>
    public string? CaseUrlTemplate { get; set; }

    public string CaseUrl(string reference)
    {
        var template = string.IsNullOrWhiteSpace(CaseUrlTemplate) ? PublisherNamespace.TrimEnd('/') + "/cases/{reference}" : CaseUrlTemplate;
        return template.Replace("{reference}", Uri.EscapeDataString(reference), StringComparison.Ordinal);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsWebUrl(PublisherNamespace))
        {
            yield return new ValidationResult($"Export:PublisherNamespace '{PublisherNamespace}' is not an absolute http(s) URL.", [nameof(PublisherNamespace)]);
        }
        if (!string.IsNullOrWhiteSpace(CaseUrlTemplate) && !IsWebUrl(CaseUrl("DD-2026-00001")))
        {
            yield return new ValidationResult($"Export:CaseUrlTemplate '{CaseUrlTemplate}' does not make an absolute http(s) URL.", [nameof(CaseUrlTemplate)]);
        }
    }

    private static bool IsWebUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http";
}
