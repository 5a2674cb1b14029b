using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DisclosureDesk.Features.Export;
using Json.Schema;
using YamlDotNet.Serialization;

namespace DisclosureDesk.UnitTests.Features.Export;

/// <summary>
/// The Markdown export's front matter, read back by a real YAML parser, against the rules of DIVD's case files
/// (DivdSchema/divd-case.schema.json: the fields, and that a Closed case has an end and its IPs) and the date
/// order the schema cannot express: start, then the timeline in order, then the end.
/// </summary>
public sealed class DivdFrontMatterTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromFile(
        Path.Combine(AppContext.BaseDirectory, "Features", "Export", "DivdSchema", "divd-case.schema.json"),
        new BuildOptions { SchemaRegistry = new SchemaRegistry(), Dialect = Dialect.Draft202012 }));

    [Theory]
    [InlineData(ExportProfile.Full)]
    [InlineData(ExportProfile.Owner)]
    [InlineData(ExportProfile.Public)]
    public async Task FrontMatter_GoldenClosedCase_FollowsTheDivdRules(ExportProfile profile)
    {
        var frontMatter = await FrontMatterAsync(ExportFixtures.GoldenDocument(profile));

        AssertFollowsTheRules(frontMatter);
        Assert.Equal("Closed", (string?)frontMatter["status"]);
        Assert.NotEmpty(frontMatter["ips"]!.AsArray());
    }

    [Fact]
    public async Task FrontMatter_GeneratedOpenAndClosedCases_FollowTheDivdRulesInEveryProfile()
    {
        var random = new Random(20261126);
        var statuses = new HashSet<string>();
        for (var i = 0; i < 100; i++)
        {
            var (@case, contacts, events, _) = PublicExportRedactionTests.Generate(random, i);
            foreach (var profile in Enum.GetValues<ExportProfile>())
            {
                var document = CaseExportDocument.Create(profile, ExportFixtures.GeneratedAt, "Ada Researcher", @case, ExportFixtures.Team, contacts, [], events);

                var frontMatter = await FrontMatterAsync(document);

                AssertFollowsTheRules(frontMatter);
                statuses.Add((string)frontMatter["status"]!);
            }
        }
        Assert.Equal(["Closed", "Open"], statuses.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("end")]
    [InlineData("ips")]
    public async Task Schema_ClosedCaseWithoutEndOrIps_IsRefused(string field)
    {
        var frontMatter = await FrontMatterAsync(ExportFixtures.GoldenDocument(ExportProfile.Full));
        frontMatter.Remove(field);

        Assert.False(Evaluate(frontMatter).IsValid);
    }

    [Fact]
    public async Task DateOrder_TimelineOutOfOrder_IsRefused()
    {
        var frontMatter = await FrontMatterAsync(ExportFixtures.GoldenDocument(ExportProfile.Full));
        var timeline = frontMatter["timeline"]!.AsArray();
        timeline[0]!["start"] = "2026-12-31";

        Assert.NotNull(DateOrderProblem(frontMatter));
    }

    private static void AssertFollowsTheRules(JsonObject frontMatter)
    {
        var result = Evaluate(frontMatter);
        Assert.True(result.IsValid, string.Join('\n', (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))) + "\n" + frontMatter.ToJsonString());
        Assert.Null(DateOrderProblem(frontMatter));
    }

    private static EvaluationResults Evaluate(JsonObject frontMatter) =>
        Schema.Value.Evaluate(JsonDocument.Parse(frontMatter.ToJsonString()).RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });

    /// <summary>Why the dates are out of order, or null: start ≤ every timeline date, in order, ≤ end.</summary>
    private static string? DateOrderProblem(JsonObject frontMatter)
    {
        var start = Date(frontMatter["start"]);
        var previous = start;
        foreach (var entry in frontMatter["timeline"]!.AsArray())
        {
            var at = Date(entry!["start"]);
            if (at < previous)
            {
                return $"timeline entry on {at:yyyy-MM-dd} comes after one on {previous:yyyy-MM-dd}";
            }
            if (entry["end"] is { } entryEnd && Date(entryEnd) < at)
            {
                return $"timeline entry ends before it starts on {at:yyyy-MM-dd}";
            }
            previous = at;
        }
        return frontMatter["end"] is { } end && Date(end) < previous ? $"end {Date(end):yyyy-MM-dd} is before {previous:yyyy-MM-dd}" : null;
    }

    private static DateOnly Date(JsonNode? value) => DateOnly.ParseExact((string)value!, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The YAML between the opening and closing <c>---</c>, parsed and turned into JSON as a static site would read it.</summary>
    private static async Task<JsonObject> FrontMatterAsync(CaseExportDocument document)
    {
        var markdown = Encoding.UTF8.GetString(await CaseExport.RenderAsync(document, ExportFormat.Markdown, cancellationToken: TestContext.Current.CancellationToken));
        var lines = markdown.Split('\n');
        Assert.Equal("---", lines[0]);
        var close = Array.IndexOf(lines, "---", 1);
        Assert.True(close > 0, "The front matter is not closed by '---'.");
        var yaml = new DeserializerBuilder().Build().Deserialize<object?>(string.Join('\n', lines[1..close]));
        return (JsonObject)ToJson(yaml)!;
    }

    private static JsonNode? ToJson(object? yaml) => yaml switch
    {
        null => null,
        Dictionary<object, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create((string)p.Key, ToJson(p.Value)))),
        List<object?> list => new JsonArray(list.Select(ToJson).ToArray()),
        string scalar => JsonValue.Create(scalar),
        _ => throw new InvalidOperationException($"Unexpected YAML node {yaml.GetType()}."),
    };
}
