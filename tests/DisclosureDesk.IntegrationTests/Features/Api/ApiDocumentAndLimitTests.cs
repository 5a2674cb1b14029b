using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DisclosureDesk.Features.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using static DisclosureDesk.IntegrationTests.Features.Api.ApiClients;

namespace DisclosureDesk.IntegrationTests.Features.Api;

/// <summary>The OpenAPI document, its reference page, and the rate limit.</summary>
[Collection(typeof(SqliteCollection))]
public sealed partial class ApiDocumentAndLimitTests(SqliteDisclosureDeskFactory app)
{
    [Fact]
    public async Task OpenApiDocument_Anonymous_ListsEveryApiPathAndOnlyThose()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var anonymous = app.CreateApiClient(null);

        using var response = await anonymous.GetAsync(Url("/openapi/v1.json"), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement;
        var paths = document.GetProperty("paths").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.EnumerateObject().Select(o => o.Name).Order().ToArray());
        Assert.Equal(
            new Dictionary<string, string[]>
            {
                ["/api/v1/cases"] = ["get", "post"],
                ["/api/v1/cases/{reference}"] = ["get"],
                ["/api/v1/cases/{reference}/notes"] = ["post"],
                ["/api/v1/cases/{reference}/export"] = ["get"],
            },
            paths);
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("PersonalAccessToken").GetProperty("scheme").GetString());
    }

    [Theory]
    [InlineData("/api/v1/nothing-here")]
    [InlineData("/api/v1/cases/DD-2026-00001/evidence")]
    public async Task UnknownApiPath_Anonymous_IsNotFoundProblemNotTheSignInPage(string path)
    {
        using var anonymous = app.CreateApiClient(null);

        using var response = await anonymous.GetAsync(Url(path), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(ProblemJson, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ReferencePage_Anonymous_IsServedWithItsScriptFromTheAppNotACdn()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        using var anonymous = app.CreateApiClient(null);

        using var redirect = await anonymous.GetAsync(Url(ApiServiceCollectionExtensions.ReferencePath), cancellationToken);
        using var page = await anonymous.GetAsync(Url(ApiServiceCollectionExtensions.ReferencePath + "/"), cancellationToken);
        var html = await page.Content.ReadAsStringAsync(cancellationToken);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups["src"].Value).ToList();

        Assert.Equal(HttpStatusCode.Found, redirect.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.NotEmpty(scripts);
        Assert.All(scripts, src => Assert.False(Uri.TryCreate(src, UriKind.Absolute, out var absolute) && absolute.Scheme.StartsWith("http", StringComparison.Ordinal), src));
        foreach (var src in scripts)
        {
            using var script = await anonymous.GetAsync(new Uri(new Uri(anonymous.BaseAddress!, ApiServiceCollectionExtensions.ReferencePath + "/"), src), cancellationToken);
            Assert.Equal(HttpStatusCode.OK, script.StatusCode);
            Assert.Contains("javascript", script.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
            Assert.NotEmpty(await script.Content.ReadAsByteArrayAsync(cancellationToken));
        }
    }

    [Fact]
    public async Task RateLimit_MorePermitsThanConfigured_Is429ProblemWithRetryAfter()
    {
        const int permits = 3;
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var limited = app.WithWebHostBuilder(builder => builder.ConfigureAppConfiguration(config =>
            config.AddInMemoryCollection(new Dictionary<string, string?> { ["Api:RequestsPerMinute"] = permits.ToString(System.Globalization.CultureInfo.InvariantCulture) })));
        var researcher = await app.CreateResearcherAsync("api-limit");
        var token = await app.CreateTokenAsync(researcher, TokenScope.Read);
        var otherToken = await app.CreateTokenAsync(researcher, TokenScope.Read, name: "another script");
        using var client = limited.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + token);
        using var otherClient = limited.CreateClient();
        otherClient.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + otherToken);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < permits; i++)
        {
            using var allowed = await client.GetAsync(Url("/api/v1/cases"), cancellationToken);
            statuses.Add(allowed.StatusCode);
        }
        using var refused = await client.GetAsync(Url("/api/v1/cases"), cancellationToken);
        using var otherTokensRequest = await otherClient.GetAsync(Url("/api/v1/cases"), cancellationToken);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(ProblemJson, refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(HttpStatusCode.OK, otherTokensRequest.StatusCode);
    }

    [GeneratedRegex("""<script\b[^>]*\bsrc="(?<src>[^"]+)"[^>]*>""")]
    private static partial Regex ScriptSource();
}
