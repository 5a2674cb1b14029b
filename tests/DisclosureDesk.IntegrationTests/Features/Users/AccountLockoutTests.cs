using System.Net;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.IntegrationTests.Features.Users;

/// <summary>Wrong passwords lock an account; the sign-in page says so; an administrator sees and ends the lockout.</summary>
[Collection(typeof(SqliteCollection))]
public sealed class AccountLockoutTests(SqliteDisclosureDeskFactory app)
{
    private const string LockedMessage = "This account is locked.";
    private const string InvalidMessage = "Invalid login attempt.";

    private int MaxFailures => app.Services.GetRequiredService<IOptions<AccountSecurityOptions>>().Value.MaxFailedAccessAttempts;

    [Fact]
    public async Task Login_WrongPasswordMaxTimes_LocksTheAccountEvenForTheRightPassword()
    {
        var researcher = await app.CreateResearcherAsync("lockout");
        using var browser = app.CreateBrowser();

        for (var attempt = 1; attempt < MaxFailures; attempt++)
        {
            using var wrong = await AccountForms.PostLoginAsync(browser, researcher.Email, "not-the-password-123");
            Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
            Assert.Contains(InvalidMessage, await AccountForms.BodyAsync(wrong), StringComparison.Ordinal);
        }
        using var last = await AccountForms.PostLoginAsync(browser, researcher.Email, "not-the-password-123");
        using var right = await AccountForms.PostLoginAsync(browser, researcher.Email, DisclosureDeskFactory.Password);

        Assert.Contains(LockedMessage, await AccountForms.BodyAsync(last), StringComparison.Ordinal);
        Assert.Contains(LockedMessage, await AccountForms.BodyAsync(right), StringComparison.Ordinal);
        Assert.False(AccountForms.SetsAuthCookie(right));
        var user = await app.ExecuteScopeAsync(s => s.GetRequiredService<UserManager<ApplicationUser>>().FindByIdAsync(researcher.Id));
        Assert.True(user!.LockoutEnd > DateTimeOffset.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task ClearLockout_LockedAccount_IsListedAsLockedAndThenSignsIn()
    {
        var researcher = await app.CreateResearcherAsync("unlock");
        var admin = await app.CreateAdministratorAsync("unlock-admin");
        using var browser = app.CreateBrowser();
        for (var attempt = 0; attempt < MaxFailures; attempt++)
        {
            using var wrong = await AccountForms.PostLoginAsync(browser, researcher.Email, "not-the-password-123");
        }

        var before = await app.AsAdministratorAsync(admin, h => h.ListAsync());
        var error = await app.AsAdministratorAsync(admin, h => h.ClearLockoutAsync(researcher.Id));
        var after = await app.AsAdministratorAsync(admin, h => h.ListAsync());
        using var signIn = await AccountForms.PostLoginAsync(browser, researcher.Email, DisclosureDeskFactory.Password);

        Assert.NotNull(before.Single(u => u.Id == researcher.Id).LockedOutUntil);
        Assert.Null(error);
        Assert.Null(after.Single(u => u.Id == researcher.Id).LockedOutUntil);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.True(AccountForms.SetsAuthCookie(signIn));
    }

    [Fact]
    public async Task ClearLockout_DisabledAccount_IsRefusedAndStaysDisabled()
    {
        var researcher = await app.CreateResearcherAsync("unlock-disabled");
        var admin = await app.CreateAdministratorAsync("unlock-disabled-admin");
        Assert.Null(await app.AsAdministratorAsync(admin, h => h.SetDisabledAsync(researcher.Id, true)));

        var error = await app.AsAdministratorAsync(admin, h => h.ClearLockoutAsync(researcher.Id));
        var row = (await app.AsAdministratorAsync(admin, h => h.ListAsync())).Single(u => u.Id == researcher.Id);
        using var browser = app.CreateBrowser();
        using var signIn = await AccountForms.PostLoginAsync(browser, researcher.Email, DisclosureDeskFactory.Password);

        Assert.Equal("That account is disabled; enable it instead.", error);
        Assert.True(row.IsDisabled);
        Assert.Null(row.LockedOutUntil);
        Assert.False(AccountForms.SetsAuthCookie(signIn));
    }
}
