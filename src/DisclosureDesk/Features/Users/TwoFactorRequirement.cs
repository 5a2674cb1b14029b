using System.Security.Claims;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Users;

/// <summary>
/// The administrators' setting that every account must use two-factor authentication. While it is on, a signed-in
/// account without it reaches only the authenticator set-up (and signing out); everything else redirects there.
/// Enforced on the server for every request (<see cref="UseMandatoryTwoFactor"/>) and for open circuits (their
/// revalidation), never by hiding links. API tokens are not affected: a token authenticates a script, not a
/// person at a browser, and can only have been created through the pages (see docs/security.md).
/// </summary>
public sealed class TwoFactorRequirement(IDbContextFactory<AppDbContext> dbFactory, IOptions<IdentityOptions> identityOptions)
{
    /// <summary>Where an account without two-factor authentication is sent while the setting is on.</summary>
    public const string SetupPath = "/Account/Manage/EnableAuthenticator";

    public async Task<bool> IsRequiredAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await AppSetting.IsOnAsync(db, AppSetting.RequireTwoFactor, cancellationToken);
    }

    /// <summary>False only when the setting is on and the principal's account has not set up two-factor authentication.</summary>
    public async Task<bool> IsSatisfiedByAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        var userId = principal.FindFirstValue(identityOptions.Value.ClaimsIdentity.UserIdClaimType);
        if (userId is null)
        {
            return true;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (!await AppSetting.IsOnAsync(db, AppSetting.RequireTwoFactor, cancellationToken))
        {
            return true;
        }
        return await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.TwoFactorEnabled).SingleOrDefaultAsync(cancellationToken);
    }
}

/// <summary>Marks an endpoint an account may reach before it has set up required two-factor authentication.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class AllowWithoutTwoFactorAttribute : Attribute;

public static class MandatoryTwoFactorMiddleware
{
    /// <summary>Place after <c>UseAuthorization</c>: by then the endpoint is known and the cookie read.</summary>
    public static IApplicationBuilder UseMandatoryTwoFactor(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (await MustSetUpTwoFactorAsync(context))
            {
                context.Response.Redirect(TwoFactorRequirement.SetupPath);
                return;
            }
            await next(context);
        });

    private static async Task<bool> MustSetUpTwoFactorAsync(HttpContext context)
    {
        // Only a person signed in with the cookie; the API's tokens authenticate on their own scheme, per endpoint.
        if (context.User.Identity is not { IsAuthenticated: true, AuthenticationType: var scheme } || scheme != IdentityConstants.ApplicationScheme)
        {
            return false;
        }
        var endpoint = context.GetEndpoint();
        // The circuit's hub carries only components of pages this gate already let through.
        if (endpoint is null
            || endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() is not null
            || endpoint.Metadata.GetMetadata<AllowWithoutTwoFactorAttribute>() is not null
            || context.Request.Path.StartsWithSegments("/_blazor"))
        {
            return false;
        }
        return !await context.RequestServices.GetRequiredService<TwoFactorRequirement>().IsSatisfiedByAsync(context.User, context.RequestAborted);
    }
}
