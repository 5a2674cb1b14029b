using DisclosureDesk.Infrastructure.Email;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Hands out sending slots at a global rate and a rate per recipient domain, and slows a rate down when the servers
/// answer with bursts of temporary failures (ADR-022). One per process: the delivery runs of this process share it.
/// </summary>
/// <remarks>
/// Each rate is a lane that spaces its slots evenly (the next slot is one interval after the later of the last slot
/// and now), so a busy lane sends at exactly its rate and an idle one never saves up a burst. A message takes a slot
/// on the global lane and on the lane of each of its recipients' domains, and only when all of them are free.
/// </remarks>
public sealed class SendPacer(IOptions<EmailOptions> options)
{
    /// <summary>This many temporary failures on a lane within <see cref="BurstWindow"/> halve its rate.</summary>
    public const int BurstThreshold = 3;

    public static readonly TimeSpan BurstWindow = TimeSpan.FromMinutes(1);

    /// <summary>A slowed lane never goes below this share of its configured rate.</summary>
    public const double MinimumShare = 1.0 / 16;

    /// <summary>Each message a slowed lane delivers raises its rate by this factor, up to the configured rate.</summary>
    public const double RecoveryStep = 1.1;

    /// <summary>Past this many domain lanes, the ones at rest (free, at full rate, no recent failures) are forgotten.</summary>
    private const int MaxIdleDomainLanes = 4096;

    private readonly Lock _gate = new();
    private readonly Lane _global = new("all recipients");
    private readonly Dictionary<string, Lane> _domains = new(StringComparer.OrdinalIgnoreCase);

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
    public Refusal? TryReserve(IReadOnlyList<string> domains, DateTime now)
    {
        if (!IsActive)
        {
            return null;
        }
        lock (_gate)
        {
            var global = Interval(_global, Pacing.MessagesPerMinute);
            if (global is not null && _global.NextSlot > now)
            {
                return new Refusal(_global.NextSlot, Global: true, []);
            }
            var lanes = domains.Select(Domain).ToList();
            var blocked = lanes.Where(lane => Interval(lane, Pacing.PerDomainPerMinute) is not null && lane.NextSlot > now).ToList();
            if (blocked.Count > 0)
            {
                return new Refusal(blocked.Max(lane => lane.NextSlot), Global: false, [.. blocked.Select(lane => lane.Name)]);
            }
            if (global is { } g)
            {
                _global.NextSlot = Later(_global.NextSlot, now) + g;
            }
            foreach (var lane in lanes)
            {
                if (Interval(lane, Pacing.PerDomainPerMinute) is { } d)
                {
                    lane.NextSlot = Later(lane.NextSlot, now) + d;
                }
            }
            return null;
        }
    }

    /// <summary>
    /// Learns from a delivery attempt: a delivered message lets slowed lanes recover a step; temporary failures in a
    /// burst halve the rate of the lane they concern. A 421 (the server closing the session) or a failed connection
    /// concerns the server as a whole, so the global lane; other 4xx replies (450, 451, 452…) the recipients' domains.
    /// </summary>
    public void Report(IReadOnlyList<string> domains, DeliveryResult result, DateTime now)
    {
        if (!IsActive)
        {
            return;
        }
        lock (_gate)
        {
            var lanes = domains.Select(Domain).ToList();
            switch (result.Outcome)
            {
                case DeliveryOutcome.Delivered:
                    foreach (var lane in lanes.Prepend(_global))
                    {
                        lane.Share = Math.Min(1, lane.Share * RecoveryStep);
                    }
                    break;
                case DeliveryOutcome.Transient:
                    var serverWide = result.ReplyCode is null or 421;
                    // A lane without a rate cannot be slowed; the failure then slows the other kind of lane.
                    var globalPaced = Pacing.MessagesPerMinute > 0;
                    var domainPaced = Pacing.PerDomainPerMinute > 0;
                    List<Lane> concerned = (serverWide && globalPaced) || !domainPaced ? [_global] : lanes;
                    foreach (var lane in concerned)
                    {
                        Fail(lane, now, lane == _global ? Pacing.MessagesPerMinute : Pacing.PerDomainPerMinute);
                    }
                    break;
            }
            Forget(now);
        }
    }

    /// <summary>What the pacer is doing now, for the outbox page.</summary>
    public PacingSnapshot Snapshot(DateTime now)
    {
        lock (_gate)
        {
            var domains = _domains.Values
                .Where(lane => lane.NextSlot > now || lane.Share < 1)
                .OrderBy(lane => lane.NextSlot).ThenBy(lane => lane.Name, StringComparer.Ordinal)
                .Select(lane => State(lane, Pacing.PerDomainPerMinute, now))
                .ToList();
            return new PacingSnapshot(IsActive, Pacing.MessagesPerMinute, Pacing.PerDomainPerMinute, State(_global, Pacing.MessagesPerMinute, now), domains);
        }
    }

    private static LaneState State(Lane lane, int perMinute, DateTime now) =>
        new(lane.Name, perMinute == 0 ? null : perMinute * lane.Share, lane.Share < 1, lane.NextSlot > now ? lane.NextSlot : null);

    private static void Fail(Lane lane, DateTime now, int perMinute)
    {
        lane.Failures.Enqueue(now);
        while (lane.Failures.Peek() <= now - BurstWindow)
        {
            lane.Failures.Dequeue();
        }
        if (lane.Failures.Count < BurstThreshold || perMinute == 0)
        {
            return;
        }
        lane.Failures.Clear();
        lane.Share = Math.Max(MinimumShare, lane.Share / 2);
        // The slowed rate applies from now: the next slot is one (longer) interval away, not just the one already booked.
        lane.NextSlot = Later(lane.NextSlot, now + Interval(lane, perMinute)!.Value);
    }

    private Lane Domain(string name)
    {
        if (!_domains.TryGetValue(name, out var lane))
        {
            lane = new Lane(name);
            _domains[name] = lane;
        }
        return lane;
    }

    private void Forget(DateTime now)
    {
        if (_domains.Count <= MaxIdleDomainLanes)
        {
            return;
        }
        foreach (var (name, lane) in _domains.Where(entry => entry.Value.NextSlot <= now && entry.Value.Share >= 1 && entry.Value.Failures.Count == 0).ToList())
        {
            _domains.Remove(name);
        }
    }

    private static TimeSpan? Interval(Lane lane, int perMinute) =>
        perMinute == 0 ? null : TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerMinute / (perMinute * lane.Share)));

    private static DateTime Later(DateTime a, DateTime b) => a > b ? a : b;

    private sealed class Lane(string name)
    {
        public string Name { get; } = name;
        public DateTime NextSlot { get; set; } = DateTime.MinValue;

        /// <summary>The share of the configured rate this lane runs at now: 1 normally, less after a burst of failures.</summary>
        public double Share { get; set; } = 1;

        public Queue<DateTime> Failures { get; } = new();
    }
}

/// <param name="PerMinute">The lane's current rate; null when it is unlimited.</param>
/// <param name="NextSlot">When the lane is next free, if that is still to come.</param>
public sealed record LaneState(string Name, double? PerMinute, bool Slowed, DateTime? NextSlot);

public sealed record PacingSnapshot(bool Active, int MessagesPerMinute, int PerDomainPerMinute, LaneState Global, IReadOnlyList<LaneState> Domains);
