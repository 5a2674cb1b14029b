using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Security;

/// <summary>Every kind of response carries the security headers: pages, redirects, errors, downloads, static files, health.</summary>
[Collection(typeof(SqliteCollection))]
public sealed class SecurityHeadersTests(SqliteDisclosureDeskFactory app)
{
    private static readonly string[] Required =
        ["X-Content-Type-Options", "Referrer-Policy", "Content-Security-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy", "Permissions-Policy"];

    [Theory]
    [InlineData("/Account/Login", HttpStatusCode.OK)]
    [InlineData("/cases", HttpStatusCode.Redirect)]
    [InlineData("/calendar/not-a-token.ics", HttpStatusCode.NotFound)]
    [InlineData("/health/live", HttpStatusCode.OK)]
    [InlineData("/favicon.png", HttpStatusCode.OK)]
    [InlineData("/_framework/blazor.web.js", HttpStatusCode.OK)]
    public async Task Anonymous_AnyResponse_CarriesTheSecurityHeaders(string path, HttpStatusCode expected)
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(expected, response.StatusCode);
        AssertHeaders(response);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/cases/DD-2099-99999")]
    [InlineData("/admin/statistics.csv")]
    public async Task SignedIn_PagesErrorsAndDownloads_CarryTheSecurityHeaders(string path)
    {
        var researcher = await app.CreateResearcherAsync("headers");
        var reference = await app.CreateCaseAsync(researcher);
        using var browser = await app.SignInAsync(researcher);

        using var response = await browser.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        using var export = await browser.GetAsync(new Uri($"/cases/{reference}/export?format=md&profile=public", UriKind.Relative), TestContext.Current.CancellationToken);

        AssertHeaders(response);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        AssertHeaders(export);
    }

    [Fact]
    public async Task Page_ScriptPolicy_RunsOnlyOwnScriptsAndTheNoncedImportMap()
    {
        var researcher = await app.CreateResearcherAsync("script-policy");
        using var browser = await app.SignInAsync(researcher);

        using var first = await browser.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        using var second = await browser.GetAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);
        var html = await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var policy = Assert.Single(first.Headers.GetValues("Content-Security-Policy"));
        var nonce = System.Text.RegularExpressions.Regex.Match(policy, "script-src 'self' 'nonce-(?<nonce>[^']+)'").Groups["nonce"].Value;
        var inlineScripts = System.Text.RegularExpressions.Regex.Matches(html, "<script\\b(?![^>]*\\bsrc=)[^>]*>").Select(m => m.Value).ToList();

        Assert.NotEmpty(nonce);
        Assert.Contains(inlineScripts, s => s.Contains("importmap", StringComparison.Ordinal));
        Assert.All(inlineScripts, s => Assert.Contains($"nonce=\"{nonce}\"", s, StringComparison.Ordinal));
        Assert.DoesNotMatch("\\son[a-z]+=\"", html);
        Assert.DoesNotContain(nonce, Assert.Single(second.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
    }

    private static void AssertHeaders(HttpResponseMessage response)
    {
        foreach (var name in Required)
        {
            Assert.True(response.Headers.Contains(name), $"{response.RequestMessage?.RequestUri} ({(int)response.StatusCode}) has no {name} header.");
        }
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("frame-ancestors 'none'", Assert.Single(response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }
}
