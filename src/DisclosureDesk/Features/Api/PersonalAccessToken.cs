namespace DisclosureDesk.Features.Api;

/// <summary>What a personal access token may do through the API; the user's own rights still bound both.</summary>
public enum TokenScope
{
    /// <summary>List, read and export the cases the user may see.</summary>
    Read = 0,

    /// <summary>Read, and file cases and add timeline notes.</summary>
    Write = 1,
}

/// <summary>
/// A user's named credential for the JSON API. Only the SHA-256 of the secret is kept (ADR-019); a revoked or
/// expired row stays as the record of when the token existed and was last used.
/// </summary>
public class PersonalAccessToken
{
    public int Id { get; set; }
    public string UserId { get; set; } = "";
    public string Name { get; set; } = "";
    public TokenScope Scope { get; set; }

    /// <summary>Lower-case hex SHA-256 of the whole token, prefix included.</summary>
    public string TokenHash { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    /// <summary>When the token last authenticated a request; null until then.</summary>
    public DateTime? LastUsedAt { get; set; }

    /// <summary>From this instant on the token authenticates nobody; null for a token that does not expire.</summary>
    public DateTime? ExpiresAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
