using System.Net;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.IntegrationTests.Features.Users;

/// <summary>The sign-in form posted as a browser would, and administrators' actions through the real handler.</summary>
internal static class AccountForms
{
    public static readonly Uri LoginUrl = new("/Account/Login", UriKind.Relative);

    /// <summary>Loads the sign-in form on <paramref name="browser"/> and posts it; the caller disposes the response.</summary>
    public static async Task<HttpResponseMessage> PostLoginAsync(HttpClient browser, string email, string password)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var form = await browser.GetStringAsync(LoginUrl, cancellationToken);
        return await browser.PostAsync(LoginUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = DisclosureDeskFactory.HiddenInput(form, "_handler"),
            ["__RequestVerificationToken"] = DisclosureDeskFactory.HiddenInput(form, "__RequestVerificationToken"),
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }), cancellationToken);
    }

    public static bool SetsAuthCookie(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies)
        && cookies.Any(c => c.StartsWith(".AspNetCore.Identity.Application=", StringComparison.Ordinal));

    public static async Task<string> BodyAsync(HttpResponseMessage response) =>
        WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

    /// <summary>
    /// Runs <paramref name="action"/> with <see cref="ManageUsers.Handler"/> as <paramref name="administrator"/>'s
    /// circuit would: the handler asks the circuit's authentication state who is acting.
    /// </summary>
    public static Task<T> AsAdministratorAsync<T>(this DisclosureDeskFactory app, TestUser administrator, Func<ManageUsers.Handler, Task<T>> action) =>
        app.ExecuteScopeAsync(async services =>
        {
            var user = await services.GetRequiredService<UserManager<ApplicationUser>>().FindByIdAsync(administrator.Id);
            var principal = await services.GetRequiredService<IUserClaimsPrincipalFactory<ApplicationUser>>().CreateAsync(user!);
            ((IHostEnvironmentAuthenticationStateProvider)services.GetRequiredService<AuthenticationStateProvider>())
                .SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
            return await action(services.GetRequiredService<ManageUsers.Handler>());
        });
}
