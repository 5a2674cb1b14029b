namespace DisclosureDesk.Features.Calendar;

/// <summary>
/// A user's secret calendar URL. Only the SHA-256 of the token is kept, so the database cannot give the URL
/// back; a revoked row stays as the record of when the URL existed and was last read (ADR-013).
/// </summary>
public class CalendarFeed
{
    public int Id { get; set; }
    public string UserId { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 bytes.</summary>
    public string TokenHash { get; set; } = "";
    public DateTime CreatedAt { get; set; }

    /// <summary>When a calendar last fetched the feed; null until the first fetch.</summary>
    public DateTime? LastUsedAt { get; set; }

    /// <summary>Set when the user revoked the URL or made a new one; the URL answers 404 from then on.</summary>
    public DateTime? RevokedAt { get; set; }
}
