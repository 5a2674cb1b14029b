using DisclosureDesk.Infrastructure.Email;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Hands out sending slots at a global rate and a rate per recipient domain, and slows a rate down when the servers
/// answer with bursts of temporary failures (ADR-022). The lanes' state is kept by <see cref="ISendPacingLanes"/>:
/// on PostgreSQL in the database, so every instance together keeps the configured rates and learns every slowdown
/// (ADR-027); on SQLite in the process.
/// </summary>
/// <remarks>
/// Each rate is a lane that spaces its slots evenly (the next slot is one interval after the later of the last slot
/// and now), so a busy lane sends at exactly its rate and an idle one never saves up a burst. A message takes a slot
/// on the global lane and on the lane of each of its recipients' domains, and only when all of them are free.
/// </remarks>
public sealed class SendPacer(IOptions<EmailOptions> options, ISendPacingLanes lanes)
{
    /// <summary>This many temporary failures on a lane within <see cref="BurstWindow"/> halve its rate.</summary>
    public const int BurstThreshold = 3;

    public static readonly TimeSpan BurstWindow = TimeSpan.FromMinutes(1);

    /// <summary>A slowed lane never goes below this share of its configured rate.</summary>
    public const double MinimumShare = 1.0 / 16;

    /// <summary>Each message a slowed lane delivers raises its rate by this factor, up to the configured rate.</summary>
    public const double RecoveryStep = 1.1;

    private const string GlobalLabel = "all recipients";

    private PacingOptions Pacing => options.Value.Pacing;

    /// <summary>Whether anything is paced: mail goes out through SMTP and at least one rate is set.</summary>
    public bool IsActive => options.Value.UsesSmtp && (Pacing.MessagesPerMinute > 0 || Pacing.PerDomainPerMinute > 0);

    /// <summary>How long a delivery run waits for a slot in the run rather than leaving it to a later run.</summary>
    public TimeSpan MaxWait => TimeSpan.FromSeconds(Pacing.MaxWaitSeconds);

    /// <summary>Why a message cannot be sent yet: the earliest time all its lanes are free, and whether the global lane is the one in the way.</summary>
    public sealed record Refusal(DateTime NotBefore, bool Global, IReadOnlyList<string> BlockedDomains);

    /// <summary>The recipient domains of an outbox row's comma-separated <see cref="OutboxMessage.To"/>, lower case, each once.</summary>
    public static IReadOnlyList<string> Domains(string to) =>
        [.. to.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(address => address[(address.LastIndexOf('@') + 1)..].ToLowerInvariant())
            .Where(domain => domain.Length > 0)
            .Distinct(StringComparer.Ordinal)];

    /// <summary>Takes a slot for a message to <paramref name="domains"/> now, or says when one could be had (taking nothing).</summary>
    public async Task<Refusal?> TryReserveAsync(IReadOnlyList<string> domains, DateTime now, CancellationToken cancellationToken = default)
    {
        if (!IsActive)
        {
            return null;
        }
        var pacing = Pacing;
        var names = Names(domains, pacing);
        return names.Count == 0
            ? null
            : await lanes.ChangeAsync(names, now, held => Reserve(GlobalLane(held), DomainLanes(held), now, pacing), cancellationToken);
    }

    /// <summary>
    /// The lanes a message to <paramref name="domains"/> concerns: only those with a rate, so that an unlimited rate
    /// costs no row and no lock (on PostgreSQL, every instance's slots would otherwise queue for the global row).
    /// </summary>
    private static List<string> Names(IReadOnlyList<string> domains, PacingOptions pacing)
    {
        List<string> names = pacing.MessagesPerMinute > 0 ? [SendPacingLane.GlobalName] : [];
        if (pacing.PerDomainPerMinute > 0)
        {
            names.AddRange(domains);
        }
        return names;
    }

    private static SendPacingLane? GlobalLane(IReadOnlyList<SendPacingLane> held) => held.FirstOrDefault(lane => lane.Name == SendPacingLane.GlobalName);

    private static List<SendPacingLane> DomainLanes(IReadOnlyList<SendPacingLane> held) => [.. held.Where(lane => lane.Name != SendPacingLane.GlobalName)];

    private static Refusal? Reserve(SendPacingLane? global, IReadOnlyList<SendPacingLane> domains, DateTime now, PacingOptions pacing)
    {
        if (global is not null && global.NextSlot > now)
        {
            return new Refusal(global.NextSlot, Global: true, []);
        }
        var blocked = domains.Where(lane => lane.NextSlot > now).ToList();
        if (blocked.Count > 0)
        {
            return new Refusal(blocked.Max(lane => lane.NextSlot), Global: false, [.. blocked.Select(lane => lane.Name)]);
        }
        if (global is not null)
        {
            global.NextSlot = Later(global.NextSlot, now) + Interval(global, pacing.MessagesPerMinute);
        }
        foreach (var lane in domains)
        {
            lane.NextSlot = Later(lane.NextSlot, now) + Interval(lane, pacing.PerDomainPerMinute);
        }
        return null;
    }

    /// <summary>
    /// Learns from a delivery attempt: a delivered message lets slowed lanes recover a step; temporary failures in a
    /// burst halve the rate of the lane they concern. A 421 (the server closing the session) or a failed connection
    /// concerns the server as a whole, so the global lane; other 4xx replies (450, 451, 452…) the recipients' domains.
    /// </summary>
    public async Task ReportAsync(IReadOnlyList<string> domains, DeliveryResult result, DateTime now, CancellationToken cancellationToken = default)
    {
        if (!IsActive || result.Outcome is not (DeliveryOutcome.Delivered or DeliveryOutcome.Transient))
        {
            return;
        }
        var pacing = Pacing;
        var names = Names(domains, pacing);
        if (names.Count == 0)
        {
            return;
        }
        await lanes.ChangeAsync(names, now, held =>
        {
            Learn(GlobalLane(held), DomainLanes(held), result, now, pacing);
            return true;
        }, cancellationToken);
    }

    private static void Learn(SendPacingLane? global, IReadOnlyList<SendPacingLane> domains, DeliveryResult result, DateTime now, PacingOptions pacing)
    {
        if (result.Outcome == DeliveryOutcome.Delivered)
        {
            foreach (var lane in global is null ? domains : domains.Prepend(global))
            {
                lane.Share = Math.Min(1, lane.Share * RecoveryStep);
            }
            return;
        }
        // A 421 or a lost connection is the server's, so the global lane's; when only one kind of lane has a rate,
        // that one is slowed (a lane without a rate cannot be, and is not held).
        var serverWide = result.ReplyCode is null or 421;
        if (global is not null && (serverWide || domains.Count == 0))
        {
            Fail(global, now, pacing.MessagesPerMinute);
            return;
        }
        foreach (var lane in domains)
        {
            Fail(lane, now, pacing.PerDomainPerMinute);
        }
    }

    /// <summary>What the pacer is doing now, for the outbox page.</summary>
    public async Task<PacingSnapshot> SnapshotAsync(DateTime now, CancellationToken cancellationToken = default)
    {
        var known = await lanes.ReadAsync(now, cancellationToken);
        var pacing = Pacing;
        var global = known.FirstOrDefault(lane => lane.Name == SendPacingLane.GlobalName) ?? SendPacingLane.AtRest(SendPacingLane.GlobalName, now);
        var domains = known
            .Where(lane => lane.Name != SendPacingLane.GlobalName && (lane.NextSlot > now || lane.Share < 1))
            .OrderBy(lane => lane.NextSlot).ThenBy(lane => lane.Name, StringComparer.Ordinal)
            .Select(lane => State(lane, pacing.PerDomainPerMinute, now))
            .ToList();
        return new PacingSnapshot(IsActive, pacing.MessagesPerMinute, pacing.PerDomainPerMinute, State(global, pacing.MessagesPerMinute, now), domains);
    }

    /// <summary>Forgets the domain lanes at rest (a forgotten lane behaves as it did), so that the lanes of every domain ever mailed do not pile up.</summary>
    public Task ForgetIdleLanesAsync(DateTime now, CancellationToken cancellationToken = default) =>
        lanes.ForgetIdleAsync(now, now - BurstWindow, cancellationToken);

    private static LaneState State(SendPacingLane lane, int perMinute, DateTime now) =>
        new(lane.Name == SendPacingLane.GlobalName ? GlobalLabel : lane.Name, perMinute == 0 ? null : perMinute * lane.Share, lane.Share < 1, lane.NextSlot > now ? lane.NextSlot : null);

    private static void Fail(SendPacingLane lane, DateTime now, int perMinute)
    {
        lane.Failures.Add(now);
        lane.Failures.RemoveAll(at => at <= now - BurstWindow);
        if (lane.Failures.Count < BurstThreshold)
        {
            return;
        }
        lane.Failures.Clear();
        lane.Share = Math.Max(MinimumShare, lane.Share / 2);
        // The slowed rate applies from now: the next slot is one (longer) interval away, not just the one already booked.
        lane.NextSlot = Later(lane.NextSlot, now + Interval(lane, perMinute));
    }

    private static TimeSpan Interval(SendPacingLane lane, int perMinute) =>
        TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerMinute / (perMinute * lane.Share)));

    private static DateTime Later(DateTime a, DateTime b) => a > b ? a : b;
}

/// <param name="PerMinute">The lane's current rate; null when it is unlimited.</param>
/// <param name="NextSlot">When the lane is next free, if that is still to come.</param>
public sealed record LaneState(string Name, double? PerMinute, bool Slowed, DateTime? NextSlot);

public sealed record PacingSnapshot(bool Active, int MessagesPerMinute, int PerDomainPerMinute, LaneState Global, IReadOnlyList<LaneState> Domains);
