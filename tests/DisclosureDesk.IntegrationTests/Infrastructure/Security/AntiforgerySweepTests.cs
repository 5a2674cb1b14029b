using System.Net;
using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Security;

/// <summary>
/// Every endpoint that takes a POST, found from the app's own routing table (so a new page or endpoint is swept
/// without being listed here), posted a form without an antiforgery token by a signed-in administrator, whose cookie
/// a cross-site form would carry: each must refuse it.
/// </summary>
[Collection(typeof(SqliteCollection))]
public sealed class AntiforgerySweepTests(SqliteDisclosureDeskFactory app)
{
    /// <summary>
    /// Endpoints that answer a token-less form post with something other than 400, and why that is safe. Anything
    /// not listed must answer 400.
    /// </summary>
    private static readonly (string Prefix, HttpStatusCode Status, string Why)[] Exceptions =
    [
        // The API takes JSON only, so a form post matches none of its endpoints (the API's 404); and a cookie is no
        // credential there (bearer tokens only, ApiAuthorizationSweepTests), so a cross-site request could not act anyway.
        ("/api/v1", HttpStatusCode.NotFound, "JSON only, bearer tokens only"),
        ("/jobs", HttpStatusCode.Forbidden, "Hangfire's dashboard checks the same antiforgery token itself and answers 403"),
    ];

    [Fact]
    public async Task Post_WithoutAntiforgeryToken_IsRefusedByEveryEndpoint()
    {
        var admin = await app.CreateAdministratorAsync("antiforgery");
        using var browser = await app.SignInAsync(admin);
        var targets = PostTargets();
        var wrong = new List<string>();

        foreach (var (path, route) in targets)
        {
            using var response = await browser.PostAsync(new Uri(path, UriKind.Relative),
                new FormUrlEncodedContent(new Dictionary<string, string> { ["probe"] = "1" }), TestContext.Current.CancellationToken);
            var exception = Exceptions.FirstOrDefault(e => path.StartsWith(e.Prefix, StringComparison.Ordinal));
            var expected = exception.Prefix is null ? HttpStatusCode.BadRequest : exception.Status;
            if (response.StatusCode != expected)
            {
                wrong.Add($"POST {path} ({route}): {(int)response.StatusCode}, expected {(int)expected}");
            }
        }

        Assert.True(targets.Count > 30, $"Only {targets.Count} endpoints found; the sweep is not reading the routing table.");
        Assert.Contains(targets, t => t.Path == "/Account/Login");
        Assert.Contains(targets, t => t.Path == "/Account/Logout");
        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));
    }

    /// <summary>Each routed endpoint that accepts POST (pages accept it for their forms), with sample route values.</summary>
    private List<(string Path, string Route)> PostTargets() =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            // SignalR's circuit transport, not a form: a circuit only runs components of pages the server rendered.
            .Where(e => e.RoutePattern.RawText?.StartsWith("/_blazor", StringComparison.Ordinal) != true)
            .Where(e => e.Metadata.GetMetadata<ComponentTypeMetadata>() is not null
                || e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Post) == true)
            .Select(e => (Path: SamplePath(e.RoutePattern), Route: e.RoutePattern.RawText ?? ""))
            .DistinctBy(t => t.Path)
            .OrderBy(t => t.Path, StringComparer.Ordinal)
            .ToList();

    private static string SamplePath(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart { IsCatchAll: true } when pattern.RawText?.StartsWith("/jobs", StringComparison.Ordinal) == true => "recurring/trigger",
            RoutePatternParameterPart parameter when parameter.ParameterPolicies.Any(p => p.Content is "int" or "long") => "1",
            RoutePatternParameterPart parameter when parameter.ParameterPolicies.Any(p => p.Content == "guid") => Guid.Empty.ToString(),
            RoutePatternParameterPart => "DD-2026-00001",
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }
}
