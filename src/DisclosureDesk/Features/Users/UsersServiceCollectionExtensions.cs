using DisclosureDesk.Components.Account;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Users;

public static class UsersServiceCollectionExtensions
{
    /// <summary>Identity with roles, the approval policies, and a sign-in requirement on everything not marked public.</summary>
    public static IHostApplicationBuilder AddUsers(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccountSecurityOptions>()
            .BindConfiguration(AccountSecurityOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                // Administrators approve accounts; mail confirmation arrives with outbound mail (issue 3).
                options.SignIn.RequireConfirmedAccount = false;
                options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<AppUserClaimsPrincipalFactory>();

        services.AddOptions<IdentityOptions>().Configure<IOptions<AccountSecurityOptions>>((options, accounts) =>
        {
            // New accounts too: Identity only counts failures of accounts with lockout enabled.
            options.Lockout.AllowedForNewUsers = true;
            options.Lockout.MaxFailedAccessAttempts = accounts.Value.MaxFailedAccessAttempts;
            options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(accounts.Value.LockoutMinutes);
        });
        // Role changes and disabling bump the security stamp; checking it often makes them bite quickly.
        services.AddOptions<SecurityStampValidatorOptions>().Configure<IOptions<AccountSecurityOptions>>((options, accounts) =>
            options.ValidationInterval = accounts.Value.SessionValidationInterval);
        services.AddAccountRateLimiting();
        services.AddSingleton<TwoFactorRequirement>();

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.ApprovedUser, policy => policy.RequireRole(Roles.Administrator, Roles.Researcher))
            .AddPolicy(Policies.Administrator, policy => policy.RequireRole(Roles.Administrator));

        services.AddScoped<CurrentUserAccessor>();
        services.AddScoped<UserOnboarding>();
        services.AddScoped<ManageUsers.Handler>();
        return builder;
    }
}
