using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Users;

/// <summary>What administrators do to accounts: approve, disable, set roles, open registration.</summary>
public static class ManageUsers
{
    public sealed record UserRow(string Id, string Email, string? DisplayName, DateTime RegisteredAt, bool IsDisabled, IReadOnlyList<string> Roles)
    {
        public bool IsPending => Roles.Count == 0 && !IsDisabled;
    }

    public sealed class Handler(
        UserManager<ApplicationUser> userManager,
        IDbContextFactory<AppDbContext> dbFactory,
        CurrentUserAccessor currentUser)
    {
        public async Task<IReadOnlyList<UserRow>> ListAsync()
        {
            await RequireAdministratorAsync();
            await using var db = await dbFactory.CreateDbContextAsync();
            var users = await db.Users.AsNoTracking().OrderBy(u => u.RegisteredAt).ThenBy(u => u.Email).ToListAsync();
            var roleNames = await db.Roles.AsNoTracking().ToDictionaryAsync(r => r.Id, r => r.Name ?? "");
            var userRoles = (await db.UserRoles.AsNoTracking().ToListAsync()).ToLookup(ur => ur.UserId, ur => roleNames[ur.RoleId]);
            return users.Select(u => new UserRow(u.Id, u.Email ?? u.UserName ?? u.Id, u.DisplayName, u.RegisteredAt, u.IsDisabled,
                userRoles[u.Id].Order(StringComparer.Ordinal).ToList())).ToList();
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

        public async Task<bool> IsRegistrationOpenAsync()
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            return await AppSetting.IsRegistrationOpenAsync(db);
        }

        public async Task SetRegistrationOpenAsync(bool open)
        {
            await RequireAdministratorAsync();
            await using var db = await dbFactory.CreateDbContextAsync();
            var setting = await db.AppSettings.FindAsync(AppSetting.OpenRegistration);
            if (setting is null)
            {
                db.AppSettings.Add(new AppSetting { Key = AppSetting.OpenRegistration, Value = open ? "true" : "false" });
            }
            else
            {
                setting.Value = open ? "true" : "false";
            }
            await db.SaveChangesAsync();
        }

        private async Task<CurrentUser> RequireAdministratorAsync()
        {
            var user = await currentUser.GetRequiredAsync();
            return user.IsAdministrator ? user : throw new UnauthorizedAccessException("Only administrators manage accounts.");
        }

        private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
    }
}
