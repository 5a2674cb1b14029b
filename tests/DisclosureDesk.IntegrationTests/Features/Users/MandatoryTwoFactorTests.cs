using System.Net;
using DisclosureDesk.Features.Api;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.IntegrationTests.Features.Api;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.IntegrationTests.Features.Users;

/// <summary>
/// The administrators' "require two-factor authentication" setting, enforced on the server for every request:
/// typed URLs, admin pages and form posts alike. Each test turns the setting off again, since the collection shares the app.
/// </summary>
[Collection(typeof(SqliteCollection))]
public sealed class MandatoryTwoFactorTests(SqliteDisclosureDeskFactory app)
{
    private const string Setup = TwoFactorRequirement.SetupPath;

    [Theory]
    [InlineData("/")]
    [InlineData("/cases")]
    [InlineData("/cases/new")]
    [InlineData("/admin/users")]
    [InlineData("/Account/Manage")]
    [InlineData("/Account/Manage/AccessTokens")]
    public async Task Request_RequiredAndNotSetUp_RedirectsToTheSetUp(string path)
    {
        var admin = await app.CreateAdministratorAsync("mfa-admin");
        using var browser = await app.SignInAsync(admin);
        using var before = await browser.GetAsync(Url(path), TestContext.Current.CancellationToken);

        await RequireTwoFactorAsync(admin, async () =>
        {
            using var response = await browser.GetAsync(Url(path), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(Setup, response.Headers.Location?.OriginalString);
        });
        Assert.NotEqual(Setup, before.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SetUpPage_RequiredAndNotSetUp_OpensAndSaysWhy()
    {
        var researcher = await app.CreateResearcherAsync("mfa-setup");
        var admin = await app.CreateAdministratorAsync("mfa-setup-admin");
        using var browser = await app.SignInAsync(researcher);

        await RequireTwoFactorAsync(admin, async () =>
        {
            using var response = await browser.GetAsync(Url(Setup), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("An administrator requires two-factor authentication", await AccountForms.BodyAsync(response), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task FormPost_RequiredAndNotSetUp_IsRedirectedAndChangesNothing()
    {
        var researcher = await app.CreateResearcherAsync("mfa-post");
        var admin = await app.CreateAdministratorAsync("mfa-post-admin");
        using var browser = await app.SignInAsync(researcher);
        var form = await browser.GetStringAsync(Url("/Account/Manage/AccessTokens"), TestContext.Current.CancellationToken);

        await RequireTwoFactorAsync(admin, async () =>
        {
            using var response = await browser.PostAsync(Url("/Account/Manage/AccessTokens"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = DisclosureDeskFactory.HiddenInput(form, "_handler"),
                ["__RequestVerificationToken"] = DisclosureDeskFactory.HiddenInput(form, "__RequestVerificationToken"),
                ["Input.Name"] = "sneaky",
                ["Input.Scope"] = nameof(TokenScope.Write),
            }), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(Setup, response.Headers.Location?.OriginalString);
        });
        Assert.Equal(0, await app.ExecuteDbContextAsync(db => Task.FromResult(db.PersonalAccessTokens.Count(t => t.UserId == researcher.Id))));
    }

    [Fact]
    public async Task Request_RequiredAndSetUp_Passes()
    {
        var researcher = await app.CreateResearcherAsync("mfa-done");
        var admin = await app.CreateAdministratorAsync("mfa-done-admin");
        using var browser = await app.SignInAsync(researcher);
        await app.ExecuteScopeAsync(async services =>
        {
            var users = services.GetRequiredService<UserManager<ApplicationUser>>();
            return await users.SetTwoFactorEnabledAsync((await users.FindByIdAsync(researcher.Id))!, true);
        });

        await RequireTwoFactorAsync(admin, async () =>
        {
            using var response = await browser.GetAsync(Url("/cases"), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });
    }

    [Fact]
    public async Task ApiToken_RequiredAndNotSetUp_StillWorks()
    {
        var researcher = await app.CreateResearcherAsync("mfa-api");
        var admin = await app.CreateAdministratorAsync("mfa-api-admin");
        var token = await app.CreateTokenAsync(researcher, TokenScope.Read);
        using var client = app.CreateApiClientWithToken(token);

        await RequireTwoFactorAsync(admin, async () =>
        {
            using var response = await client.GetAsync(Url("/api/v1/cases"), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });
    }

    [Fact]
    public async Task SignInPages_RequiredAndNotSetUp_StayOpen()
    {
        var researcher = await app.CreateResearcherAsync("mfa-anon");
        var admin = await app.CreateAdministratorAsync("mfa-anon-admin");
        using var browser = await app.SignInAsync(researcher);

        await RequireTwoFactorAsync(admin, async () =>
        {
            using var login = await browser.GetAsync(AccountForms.LoginUrl, TestContext.Current.CancellationToken);
            using var health = await browser.GetAsync(Url("/health/live"), TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        });
    }

    private async Task RequireTwoFactorAsync(TestUser admin, Func<Task> whileRequired)
    {
        await app.AsAdministratorAsync(admin, async h => { await h.SetTwoFactorRequiredAsync(true); return true; });
        try
        {
            await whileRequired();
        }
        finally
        {
            await app.AsAdministratorAsync(admin, async h => { await h.SetTwoFactorRequiredAsync(false); return true; });
        }
    }

    private static Uri Url(string path) => new(path, UriKind.Relative);
}
