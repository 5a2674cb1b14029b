using System.Net;
using System.Security.Claims;
using DisclosureDesk.Components.Account;
using DisclosureDesk.Features.Api;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.IntegrationTests.Features.Api;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.IntegrationTests.Features.Users;

/// <summary>Disabling an account ends its sign-in cookie, its open circuits and its API tokens.</summary>
[Collection(typeof(SqliteCollection))]
public sealed class SessionRevocationTests(SqliteDisclosureDeskFactory app)
{
    private TimeSpan ValidationInterval => app.Services.GetRequiredService<IOptions<AccountSecurityOptions>>().Value.SessionValidationInterval;

    [Fact]
    public async Task Cookie_UserDisabled_IsRejectedOnceTheValidationIntervalPasses()
    {
        var researcher = await app.CreateResearcherAsync("revoked");
        var admin = await app.CreateAdministratorAsync("revoker");
        using var browser = await app.SignInAsync(researcher);
        using var before = await browser.GetAsync(Url("/cases"), TestContext.Current.CancellationToken);

        Assert.Null(await app.AsAdministratorAsync(admin, h => h.SetDisabledAsync(researcher.Id, true)));
        app.Time.Advance(ValidationInterval + TimeSpan.FromSeconds(1));
        using var after = await browser.GetAsync(Url("/cases"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/Account/Login", after.Headers.Location?.PathAndQuery ?? after.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_UserNotDisabled_SurvivesTheValidation()
    {
        var researcher = await app.CreateResearcherAsync("kept");
        using var browser = await app.SignInAsync(researcher);

        app.Time.Advance(ValidationInterval + TimeSpan.FromSeconds(1));
        using var after = await browser.GetAsync(Url("/cases"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task ApiToken_UserDisabled_IsRefusedAtOnce()
    {
        var researcher = await app.CreateResearcherAsync("revoked-api");
        var admin = await app.CreateAdministratorAsync("revoker-api");
        var token = await app.CreateTokenAsync(researcher, TokenScope.Read);
        using var client = app.CreateApiClientWithToken(token);
        using var before = await client.GetAsync(Url("/api/v1/cases"), TestContext.Current.CancellationToken);

        Assert.Null(await app.AsAdministratorAsync(admin, h => h.SetDisabledAsync(researcher.Id, true)));
        using var after = await client.GetAsync(Url("/api/v1/cases"), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task CircuitRevalidation_UserDisabled_EndsTheSignedInState()
    {
        var researcher = await app.CreateResearcherAsync("circuit");
        var admin = await app.CreateAdministratorAsync("circuit-admin");
        var principal = await PrincipalAsync(researcher);

        var valid = await IsStillValidAsync(principal);
        Assert.Null(await app.AsAdministratorAsync(admin, h => h.SetDisabledAsync(researcher.Id, true)));
        var afterDisabling = await IsStillValidAsync(principal);

        Assert.True(valid);
        Assert.False(afterDisabling);
    }

    [Fact]
    public async Task CircuitRevalidation_DisabledFlagWithoutNewStamp_StillEndsTheSignedInState()
    {
        var researcher = await app.CreateResearcherAsync("circuit-flag");
        var principal = await PrincipalAsync(researcher);

        // A disabled flag set some other way than the Users page (which also renews the stamp) must still count.
        await app.ExecuteDbContextAsync(db => db.Users.Where(u => u.Id == researcher.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.IsDisabled, true), TestContext.Current.CancellationToken));

        Assert.False(await IsStillValidAsync(principal));
    }

    [Fact]
    public async Task CircuitRevalidation_TwoFactorRequiredAndNotSetUp_EndsTheSignedInState()
    {
        var researcher = await app.CreateResearcherAsync("circuit-mfa");
        var admin = await app.CreateAdministratorAsync("circuit-mfa-admin");
        var principal = await PrincipalAsync(researcher);

        await app.AsAdministratorAsync(admin, async h => { await h.SetTwoFactorRequiredAsync(true); return true; });
        bool whileRequired;
        try
        {
            whileRequired = await IsStillValidAsync(principal);
        }
        finally
        {
            await app.AsAdministratorAsync(admin, async h => { await h.SetTwoFactorRequiredAsync(false); return true; });
        }

        Assert.False(whileRequired);
        Assert.True(await IsStillValidAsync(principal));
    }

    private Task<ClaimsPrincipal> PrincipalAsync(TestUser user) => app.ExecuteScopeAsync(async services =>
        await services.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>()
            .CreateAsync((await services.GetRequiredService<UserManager<ApplicationUser>>().FindByIdAsync(user.Id))!));

    private Task<bool> IsStillValidAsync(ClaimsPrincipal principal) => app.ExecuteScopeAsync(services =>
        IdentityRevalidatingAuthenticationStateProvider.IsStillValidAsync(
            services, services.GetRequiredService<IOptions<IdentityOptions>>().Value, principal, TestContext.Current.CancellationToken));

    private static Uri Url(string path) => new(path, UriKind.Relative);
}
