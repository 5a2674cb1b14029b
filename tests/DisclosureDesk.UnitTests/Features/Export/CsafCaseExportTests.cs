using System.Text.Json;
using System.Text.Json.Nodes;
using DisclosureDesk.Features.Export;
using Json.Schema;

namespace DisclosureDesk.UnitTests.Features.Export;

/// <summary>
/// The CSAF export against the official CSAF 2.0 JSON schema (vendored in CsafSchema/ with the CVSS schemas it
/// refers to) and the mandatory tests of CSAF 2.0 §6.1.27 for informational advisories.
/// </summary>
public sealed class CsafCaseExportTests
{
    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    [Theory]
    [InlineData(ExportProfile.Full)]
    [InlineData(ExportProfile.Owner)]
    [InlineData(ExportProfile.Public)]
    public async Task Render_EveryProfile_IsValidAgainstTheCsaf20Schema(ExportProfile profile)
    {
        using var csaf = await RenderAsync(ExportFixtures.GoldenDocument(profile));

        var result = Schema.Value.Evaluate(csaf.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });

        Assert.True(result.IsValid, Errors(result));
    }

    [Fact]
    public async Task Evaluate_UnknownTrackingStatus_IsInvalid()
    {
        using var csaf = await RenderAsync(ExportFixtures.GoldenDocument(ExportProfile.Public));
        var broken = JsonNode.Parse(csaf.RootElement.GetRawText())!;
        broken["document"]!["tracking"]!["status"] = "published";

        var result = Schema.Value.Evaluate(JsonDocument.Parse(broken.ToJsonString()).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

        Assert.False(result.IsValid);
    }

    [Theory]
    [InlineData(ExportProfile.Full)]
    [InlineData(ExportProfile.Public)]
    public async Task Render_InformationalAdvisory_PassesMandatoryTests6127(ExportProfile profile)
    {
        using var csaf = await RenderAsync(ExportFixtures.GoldenDocument(profile));
        var document = csaf.RootElement.GetProperty("document");

        Assert.Equal("csaf_informational_advisory", document.GetProperty("category").GetString());
        // 6.1.27.1: at least one note of category description, details, general or summary.
        Assert.Contains(document.GetProperty("notes").EnumerateArray(), n => n.GetProperty("category").GetString() is "description" or "details" or "general" or "summary");
        // 6.1.27.2: at least one reference of category external.
        Assert.Contains(document.GetProperty("references").EnumerateArray(), r => r.TryGetProperty("category", out var c) && c.GetString() == "external");
        // 6.1.27.3: no vulnerabilities; and an informational advisory has no product tree to speak of either.
        Assert.False(csaf.RootElement.TryGetProperty("vulnerabilities", out _));
        Assert.False(csaf.RootElement.TryGetProperty("product_tree", out _));
        // 6.1.21/6.1.22-style tracking consistency: the version is the last revision's number.
        var tracking = document.GetProperty("tracking");
        Assert.Equal("DD-2026-00001", tracking.GetProperty("id").GetString());
        Assert.Equal(tracking.GetProperty("version").GetString(), tracking.GetProperty("revision_history").EnumerateArray().Last().GetProperty("number").GetString());
        Assert.Equal("final", tracking.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Render_PublicProfile_TimelineNoteHoldsOnlyMaskedPublicEvents()
    {
        using var csaf = await RenderAsync(ExportFixtures.GoldenDocument(ExportProfile.Public));
        var timeline = csaf.RootElement.GetProperty("document").GetProperty("notes").EnumerateArray()
            .Single(n => n.GetProperty("title").GetString() == "Timeline").GetProperty("text").GetString()!;
        var raw = csaf.RootElement.GetRawText();

        Assert.Equal(3, timeline.Split('\n').Count(line => line.StartsWith("2026-", StringComparison.Ordinal)));
        Assert.Contains("Case filed: Elasticsearch on 203.0.113.x:9200.", timeline, StringComparison.Ordinal);
        Assert.DoesNotContain("203.0.113.10", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("198.51.100", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("Jan de Vries", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("clinic.example", raw, StringComparison.Ordinal);
        Assert.Equal("WHITE", csaf.RootElement.GetProperty("document").GetProperty("distribution").GetProperty("tlp").GetProperty("label").GetString());
    }

    [Fact]
    public async Task Render_CaseUrlTemplate_IsTheExternalReference()
    {
        var options = new ExportOptions { PublisherNamespace = "https://csirt.example", CaseUrlTemplate = "https://csirt.example/cases/{reference}/" };
        using var csaf = JsonDocument.Parse(await CaseExport.RenderAsync(ExportFixtures.GoldenDocument(ExportProfile.Public), ExportFormat.Csaf, options, TestContext.Current.CancellationToken));

        var reference = csaf.RootElement.GetProperty("document").GetProperty("references")[0];
        Assert.Equal("https://csirt.example/cases/DD-2026-00001/", reference.GetProperty("url").GetString());
        Assert.Equal("https://csirt.example", csaf.RootElement.GetProperty("document").GetProperty("publisher").GetProperty("namespace").GetString());
    }

    private static async Task<JsonDocument> RenderAsync(CaseExportDocument document) =>
        JsonDocument.Parse(await CaseExport.RenderAsync(document, ExportFormat.Csaf, cancellationToken: TestContext.Current.CancellationToken));

    private static JsonSchema LoadSchema()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Features", "Export", "CsafSchema");
        // The schemas are draft 2020-12, which allows unknown keywords (FIRST's CVSS schemas carry "license").
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 };
        // The CSAF schema refers to FIRST's CVSS schemas by URLs without the version query their own $id carries.
        foreach (var cvss in new[] { "cvss-v2.0", "cvss-v3.0", "cvss-v3.1" })
        {
            var schema = JsonSchema.FromFile(Path.Combine(folder, cvss + ".json"), options);
            options.SchemaRegistry.Register(new Uri($"https://www.first.org/cvss/{cvss}.json"), schema);
        }
        return JsonSchema.FromFile(Path.Combine(folder, "csaf_json_schema.json"), options);
    }

    private static string Errors(EvaluationResults result) =>
        string.Join('\n', (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} ({d.EvaluationPath}): {e.Key} {e.Value}")));
}
