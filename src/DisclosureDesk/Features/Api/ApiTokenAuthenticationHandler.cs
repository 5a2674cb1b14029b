using System.Security.Claims;
using System.Text.Encodings.Web;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Api;

/// <summary>
/// <c>Authorization: Bearer ddpat_…</c>: the only way into <c>/api/v1</c>. The principal is the one the sign-in
/// cookie carries (same factory, so same roles and claims) plus the token's scope, id and name. Anything but a
/// live token of an enabled, approved user is the same 401 (ADR-019).
/// </summary>
public sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PersonalAccessTokens.Handler tokens,
    UserManager<ApplicationUser> userManager,
    IUserClaimsPrincipalFactory<ApplicationUser> principalFactory)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";
    public const string ScopeClaim = "api_scope";
    public const string TokenIdClaim = "api_token_id";
    public const string TokenNameClaim = "api_token_name";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Not a bearer token.");
        }
        var match = await tokens.FindAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted);
        var user = match is null ? null : await userManager.FindByIdAsync(match.UserId);
        if (match is null || user is null)
        {
            return AuthenticateResult.Fail("Unknown, revoked or expired token.");
        }
        var cookiePrincipal = await principalFactory.CreateAsync(user);
        if (CurrentUser.From(cookiePrincipal) is not { IsApproved: true })
        {
            return AuthenticateResult.Fail("The token's account is not approved.");
        }
        var cookieIdentity = (ClaimsIdentity)cookiePrincipal.Identity!;
        var identity = new ClaimsIdentity(cookieIdentity.Claims, SchemeName, cookieIdentity.NameClaimType, cookieIdentity.RoleClaimType);
        identity.AddClaim(new Claim(ScopeClaim, match.Scope.ToString()));
        identity.AddClaim(new Claim(TokenIdClaim, match.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        identity.AddClaim(new Claim(TokenNameClaim, match.Name));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // One answer for a missing, malformed, unknown, revoked or expired token and an unusable account.
        Response.Headers.WWWAuthenticate = "Bearer";
        await TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: "Send a live personal access token: Authorization: Bearer ddpat_…")
            .ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        await TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Forbidden",
                detail: "This token has the read scope; making changes needs a token with the write scope.")
            .ExecuteAsync(Context);
}
