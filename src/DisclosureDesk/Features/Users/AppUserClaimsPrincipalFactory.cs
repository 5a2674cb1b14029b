using System.Security.Claims;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Users;

/// <summary>Puts the user's time zone and display name in the cookie so every page can show local times.</summary>
internal sealed class AppUserClaimsPrincipalFactory(
    UserManager<ApplicationUser> userManager,
    RoleManager<IdentityRole> roleManager,
    IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<ApplicationUser, IdentityRole>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(ApplicationUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(CurrentUser.TimeZoneClaim, user.TimeZoneId));
        identity.AddClaim(new Claim(CurrentUser.DisplayNameClaim, user.Label));
        return identity;
    }
}
