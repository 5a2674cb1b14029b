using System.Net;
using System.Text.RegularExpressions;
using DisclosureDesk.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;
using static DisclosureDesk.IntegrationTests.Features.Api.ApiClients;

namespace DisclosureDesk.IntegrationTests.Features.Api;

/// <summary>The account page that makes and revokes tokens, driven through its real forms.</summary>
[Collection(typeof(SqliteCollection))]
public sealed partial class AccessTokensPageTests(SqliteDisclosureDeskFactory app)
{
    private const string Page = "/Account/Manage/AccessTokens";

    [Fact]
    public async Task CreateThenRevoke_ThroughThePage_ShowsTheSecretOnceAndRevokingStopsIt()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var researcher = await app.CreateResearcherAsync("pat-page");
        using var browser = await app.SignInAsync(researcher);
        var form = await browser.GetStringAsync(Url(Page), cancellationToken);

        using var created = await browser.PostAsync(Url(Page), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "token-create",
            ["__RequestVerificationToken"] = DisclosureDeskFactory.HiddenInput(form, "__RequestVerificationToken"),
            ["Input.Name"] = "nightly rescan",
            ["Input.Scope"] = "Write",
            ["Input.ExpiresInDays"] = "30",
        }), cancellationToken);
        var createdPage = await created.Content.ReadAsStringAsync(cancellationToken);
        var token = TokenPattern().Match(createdPage).Value;
        var later = await browser.GetStringAsync(Url(Page), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.True(created.Headers.CacheControl?.NoStore);
        Assert.StartsWith("ddpat_", token, StringComparison.Ordinal);
        Assert.DoesNotContain("ddpat_", later.Replace("ddpat_…", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("nightly rescan", later, StringComparison.Ordinal);
        var row = await app.ExecuteDbContextAsync(db => db.PersonalAccessTokens.SingleAsync(t => t.UserId == researcher.Id, cancellationToken));
        Assert.Equal(SecretTokens.Hash(token), row.TokenHash);
        Assert.Equal(DisclosureDesk.Features.Api.TokenScope.Write, row.Scope);

        using (var api = app.CreateApiClientWithToken(token))
        using (var before = await api.GetAsync(Url("/api/v1/cases"), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }
        using var revoked = await browser.PostAsync(Url(Page), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = $"token-revoke-{row.Id}",
            ["__RequestVerificationToken"] = DisclosureDeskFactory.HiddenInput(later, "__RequestVerificationToken"),
        }), cancellationToken);
        using var apiAfter = app.CreateApiClientWithToken(token);
        using var after = await apiAfter.GetAsync(Url("/api/v1/cases"), cancellationToken);

        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [GeneratedRegex("ddpat_[A-Za-z0-9_-]{43}")]
    private static partial Regex TokenPattern();
}
