using System.Security.Claims;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Components.Account;

/// <summary>
/// Re-reads the account of each open interactive circuit as often as the sign-in cookie is re-validated
/// (<see cref="AccountSecurityOptions.SessionValidationSeconds"/>): a disabled account, a changed security stamp
/// (new role, new password, disabling) or missing required two-factor authentication ends the circuit's
/// signed-in state, so a page left open does not outlive the account's rights.
/// </summary>
internal sealed class IdentityRevalidatingAuthenticationStateProvider(
        ILoggerFactory loggerFactory,
        IServiceScopeFactory scopeFactory,
        IOptions<IdentityOptions> options,
        IOptions<AccountSecurityOptions> accounts)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => accounts.Value.SessionValidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(
        AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        // Get the user manager from a new scope to ensure it fetches fresh data
        await using var scope = scopeFactory.CreateAsyncScope();
        return await IsStillValidAsync(scope.ServiceProvider, options.Value, authenticationState.User, cancellationToken);
    }

    /// <summary>Whether <paramref name="principal"/> still speaks for an enabled account as it is now.</summary>
    internal static async Task<bool> IsStillValidAsync(
        IServiceProvider services, IdentityOptions identityOptions, ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        var userManager = services.GetRequiredService<UserManager<ApplicationUser>>();
        var user = await userManager.GetUserAsync(principal);
        if (user is null || user.IsDisabled)
        {
            return false;
        }
        if (userManager.SupportsUserSecurityStamp)
        {
            var principalStamp = principal.FindFirstValue(identityOptions.ClaimsIdentity.SecurityStampClaimType);
            if (principalStamp != await userManager.GetSecurityStampAsync(user))
            {
                return false;
            }
        }
        return await services.GetRequiredService<TwoFactorRequirement>().IsSatisfiedByAsync(principal, cancellationToken);
    }
}
