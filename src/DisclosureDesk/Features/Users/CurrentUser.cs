using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace DisclosureDesk.Features.Users;

/// <summary>The signed-in user as the features need them: who, and whether they administer.</summary>
public sealed record CurrentUser(string Id, string Name, bool IsAdministrator, bool IsApproved, TimeZoneInfo TimeZone)
{
    public const string TimeZoneClaim = "zoneinfo";
    public const string DisplayNameClaim = "display_name";

    public static CurrentUser? From(ClaimsPrincipal principal)
    {
        var id = principal.FindFirstValue(ClaimTypes.NameIdentifier);
        if (id is null || principal.Identity?.IsAuthenticated != true)
        {
            return null;
        }
        var isAdministrator = principal.IsInRole(Roles.Administrator);
        return new CurrentUser(
            id,
            principal.FindFirstValue(DisplayNameClaim) ?? principal.Identity?.Name ?? id,
            isAdministrator,
            isAdministrator || principal.IsInRole(Roles.Researcher),
            UserTimeZones.Find(principal.FindFirstValue(TimeZoneClaim)));
    }

    public Timeline.Actor AsActor() => new(Id, Name);
}

/// <summary>Resolves the signed-in user of the current circuit or request.</summary>
public sealed class CurrentUserAccessor(AuthenticationStateProvider authenticationStateProvider)
{
    /// <summary>The signed-in user, approved or not; null when nobody is signed in.</summary>
    public async Task<CurrentUser?> GetAsync() =>
        CurrentUser.From((await authenticationStateProvider.GetAuthenticationStateAsync()).User);

    /// <summary>The signed-in, approved user; throws when there is none, so no handler runs unauthenticated.</summary>
    public async Task<CurrentUser> GetRequiredAsync()
    {
        var user = await GetAsync();
        if (user is not { IsApproved: true })
        {
            throw new UnauthorizedAccessException("An approved, signed-in user is required.");
        }
        return user;
    }
}

public static class UserTimeZones
{
    public static TimeZoneInfo Find(string? id) =>
        id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    public static IReadOnlyList<string> Ids { get; } =
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").Distinct().Order(StringComparer.Ordinal).ToList();

    public static bool IsKnown(string? id) => id is not null && TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);

    /// <summary>A wall-clock time a user typed in <paramref name="zone"/>, as a UTC instant.</summary>
    public static DateTime ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        // A time skipped by a daylight-saving jump does not exist; read it as the instant an hour later.
        if (zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddHours(1);
        }
        return TimeZoneInfo.ConvertTimeToUtc(unspecified, zone);
    }

    /// <summary>A stored UTC instant as the wall-clock time in <paramref name="zone"/>, for editing.</summary>
    public static DateTime ToLocal(DateTime utc, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), zone);
}
