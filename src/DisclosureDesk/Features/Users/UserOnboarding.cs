using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Users;

public enum OnboardingOutcome
{
    Administrator,
    Researcher,
    AwaitingApproval,
}

/// <summary>
/// Decides what a newly registered account may do: the first account of a fresh database administers it;
/// later ones wait for approval unless an administrator opened registration.
/// </summary>
public sealed class UserOnboarding(UserManager<ApplicationUser> userManager, IDbContextFactory<AppDbContext> dbFactory)
{
    // Two registrations racing on an empty database must not both become administrator.
    private static readonly SemaphoreSlim FirstAdministratorGate = new(1, 1);

    public async Task<OnboardingOutcome> OnboardAsync(ApplicationUser user)
    {
        await FirstAdministratorGate.WaitAsync();
        try
        {
            if ((await userManager.GetUsersInRoleAsync(Roles.Administrator)).Count == 0)
            {
                await AddToRoleAsync(user, Roles.Administrator);
                return OnboardingOutcome.Administrator;
            }
        }
        finally
        {
            FirstAdministratorGate.Release();
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        if (await AppSetting.IsRegistrationOpenAsync(db))
        {
            await AddToRoleAsync(user, Roles.Researcher);
            return OnboardingOutcome.Researcher;
        }
        return OnboardingOutcome.AwaitingApproval;
    }


    private async Task AddToRoleAsync(ApplicationUser user, string role)
    {
        var result = await userManager.AddToRoleAsync(user, role);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not give the new account the {role} role: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }
    }
}
