namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// The state of one sending lane of <see cref="SendPacer"/>: the global one, or one recipient domain's (ADR-022). On
/// PostgreSQL it is a row that every instance reads and writes under a row lock (ADR-027); on SQLite the object lives
/// in the process and the table stays empty.
/// </summary>
public sealed class SendPacingLane
{
    /// <summary>The global lane's name; no recipient domain is empty (<see cref="SendPacer.Domains"/> drops empty ones).</summary>
    public const string GlobalName = "";

    /// <summary>The recipient domain, lower case, or <see cref="GlobalName"/>.</summary>
    public string Name { get; set; } = GlobalName;

    /// <summary>The earliest time the lane gives out its next slot (UTC, from the app's clock, never the database's).</summary>
    public DateTime NextSlot { get; set; }

    /// <summary>The share of the configured rate the lane runs at now: 1 normally, less after a burst of failures.</summary>
    public double Share { get; set; } = 1;

    /// <summary>The times of the temporary failures counted towards the next burst (those older than the burst window are dropped as new ones come).</summary>
    public List<DateTime> Failures { get; set; } = [];

    /// <summary>A lane nothing has happened on: free from <paramref name="now"/>, at the full rate.</summary>
    public static SendPacingLane AtRest(string name, DateTime now) => new() { Name = name, NextSlot = now };
}
