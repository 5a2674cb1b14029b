using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Export;

namespace DisclosureDesk.UnitTests.Features.Export;

public sealed class ExportOptionsTests
{
    [Fact]
    public void Validate_Defaults_CaseUrlUnderThePublisherNamespace()
    {
        var options = new ExportOptions();

        Assert.Empty(Errors(options));
        Assert.Equal("https://disclosuredesk.example/cases/DD-2026-00001", options.CaseUrl("DD-2026-00001"));
    }

    [Theory]
    [InlineData("csirt.example", null, "Export:PublisherNamespace 'csirt.example' is not an absolute http(s) URL.")]
    [InlineData("https://csirt.example", "cases/{reference}", "Export:CaseUrlTemplate 'cases/{reference}' does not make an absolute http(s) URL.")]
    [InlineData("", null, "Export:PublisherNamespace must be set.")]
    public void Validate_BadSetting_NamesIt(string publisherNamespace, string? template, string expected)
    {
        var options = new ExportOptions { PublisherNamespace = publisherNamespace, CaseUrlTemplate = template };

        Assert.Contains(expected, Errors(options));
    }

    [Fact]
    public void CaseUrl_ReferenceWithReservedCharacters_IsEscaped() =>
        Assert.Equal("https://csirt.example/c/a%2Fb%3Fc", new ExportOptions { CaseUrlTemplate = "https://csirt.example/c/{reference}" }.CaseUrl("a/b?c"));

    private static List<string?> Errors(ExportOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results.Select(r => r.ErrorMessage).ToList();
    }
}
