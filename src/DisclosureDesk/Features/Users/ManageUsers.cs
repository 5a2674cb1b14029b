using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Users;

/// <summary>What administrators do to accounts: approve, disable, unlock, set roles, open registration, require two-factor authentication.</summary>
public static class ManageUsers
{
    /// <param name="LockedOutUntil">When a lockout after failed sign-ins ends (UTC); null when not locked out. Disabled accounts are not "locked out".</param>
    public sealed record UserRow(string Id, string Email, string? DisplayName, DateTime RegisteredAt, bool IsDisabled, IReadOnlyList<string> Roles,
        bool TwoFactorEnabled = false, DateTime? LockedOutUntil = null)
    {
        public bool IsPending => Roles.Count == 0 && !IsDisabled;
    }

    public sealed class Handler(
        UserManager<ApplicationUser> userManager,
        IDbContextFactory<AppDbContext> dbFactory,
        CurrentUserAccessor currentUser,
        ILogger<Handler> logger)
    {
        public async Task<IReadOnlyList<UserRow>> ListAsync()
        {
            await RequireAdministratorAsync();
            await using var db = await dbFactory.CreateDbContextAsync();
            var users = await db.Users.AsNoTracking().OrderBy(u => u.RegisteredAt).ThenBy(u => u.Email).ToListAsync();
            var roleNames = await db.Roles.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name ?? "");
            var userRoles = (await db.UserRoles.AsNoTracking().ToListAsync()).ToLookup(ur => ur.UserId, ur => roleNames[ur.RoleId]);
            var rows = new List<UserRow>(users.Count);
            foreach (var u in users)
            {
                // Identity stamps and checks lockouts on its own clock, not the injected TimeProvider: asking it is the
                // only way the list agrees with what the sign-in page will do.
                var lockedOut = !u.IsDisabled && await userManager.IsLockedOutAsync(u);
                rows.Add(new UserRow(u.Id, u.Email ?? u.UserName ?? u.Id, u.DisplayName, u.RegisteredAt, u.IsDisabled,
                    userRoles[u.Id].Order(StringComparer.Ordinal).ToList(), u.TwoFactorEnabled,
                    lockedOut ? u.LockoutEnd!.Value.UtcDateTime : null));
            }
            return rows;
        }

        /// <summary>Gives the account exactly one role (approving it if it was pending).</summary>
        public async Task<string?> SetRoleAsync(string userId, string role)
        {
            var admin = await RequireAdministratorAsync();
            if (!Roles.All.Contains(role))
            {
                return $"Unknown role '{role}'.";
            }
            var user = await userManager.FindByIdAsync(userId);
            if (user is null)
            {
                return "That account no longer exists.";
            }
            var current = await userManager.GetRolesAsync(user);
            if (current.Contains(Roles.Administrator) && role != Roles.Administrator)
            {
                if (user.Id == admin.Id)
                {
                    return "You cannot remove your own administrator role; ask another administrator.";
                }
                if ((await userManager.GetUsersInRoleAsync(Roles.Administrator)).Count <= 1)
                {
                    return "The last administrator cannot lose the role.";
                }
            }
            var removed = await userManager.RemoveFromRolesAsync(user, current.Where(r => r != role));
            if (!removed.Succeeded)
            {
                return Describe(removed);
            }
            if (!current.Contains(role))
            {
                var added = await userManager.AddToRoleAsync(user, role);
                if (!added.Succeeded)
                {
                    return Describe(added);
                }
            }
            // A new security stamp makes open sessions pick up the new role at their next validation.
            await userManager.UpdateSecurityStampAsync(user);
            return null;
        }

        public async Task<string?> SetDisabledAsync(string userId, bool disabled)
        {
            var admin = await RequireAdministratorAsync();
            if (disabled && userId == admin.Id)
            {
                return "You cannot disable your own account.";
            }
            var user = await userManager.FindByIdAsync(userId);
            if (user is null)
            {
                return "That account no longer exists.";
            }
            user.IsDisabled = disabled;
            user.LockoutEnabled = true;
            user.LockoutEnd = disabled ? DateTimeOffset.MaxValue : null;
            var result = await userManager.UpdateAsync(user);
            if (!result.Succeeded)
            {
                return Describe(result);
            }
            await userManager.UpdateSecurityStampAsync(user);
            return null;
        }

        /// <summary>Ends a lockout after failed sign-ins now, and starts the count of failures afresh; a disabled account stays disabled.</summary>
        public async Task<string?> ClearLockoutAsync(string userId)
        {
            var admin = await RequireAdministratorAsync();
            var user = await userManager.FindByIdAsync(userId);
            if (user is null)
            {
                return "That account no longer exists.";
            }
            if (user.IsDisabled)
            {
                return "That account is disabled; enable it instead.";
            }
            var result = await userManager.SetLockoutEndDateAsync(user, null);
            if (result.Succeeded)
            {
                result = await userManager.ResetAccessFailedCountAsync(user);
            }
            if (!result.Succeeded)
            {
                return Describe(result);
            }
            logger.LogInformation("Administrator {AdministratorId} ended the lockout of account {UserId}.", admin.Id, user.Id);
            return null;
        }

        public async Task<bool> IsRegistrationOpenAsync()
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            return await AppSetting.IsRegistrationOpenAsync(db);
        }

        public async Task SetRegistrationOpenAsync(bool open)
        {
            await RequireAdministratorAsync();
            await using var db = await dbFactory.CreateDbContextAsync();
            await AppSetting.SetAsync(db, AppSetting.OpenRegistration, open);
            await db.SaveChangesAsync();
        }

        public async Task<bool> IsTwoFactorRequiredAsync()
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            return await AppSetting.IsOnAsync(db, AppSetting.RequireTwoFactor);
        }

        /// <summary>While on, accounts without two-factor authentication can reach only its set-up (<see cref="TwoFactorRequirement"/>).</summary>
        public async Task SetTwoFactorRequiredAsync(bool required)
        {
            var admin = await RequireAdministratorAsync();
            await using var db = await dbFactory.CreateDbContextAsync();
            await AppSetting.SetAsync(db, AppSetting.RequireTwoFactor, required);
            await db.SaveChangesAsync();
            logger.LogInformation("Administrator {AdministratorId} turned required two-factor authentication {State}.", admin.Id, required ? "on" : "off");
        }

        private async Task<CurrentUser> RequireAdministratorAsync()
        {
            var user = await currentUser.GetRequiredAsync();
            return user.IsAdministrator ? user : throw new UnauthorizedAccessException("Only administrators manage accounts.");
        }

        private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
    }
}
