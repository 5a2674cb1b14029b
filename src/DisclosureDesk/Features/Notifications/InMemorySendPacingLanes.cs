namespace DisclosureDesk.Features.Notifications;

/// <summary>The lanes of one process, under one lock: the store on SQLite, where one process sends (ADR-027).</summary>
public sealed class InMemorySendPacingLanes : ISendPacingLanes
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, SendPacingLane> _lanes = new(StringComparer.Ordinal);

    public Task<T> ChangeAsync<T>(IReadOnlyList<string> names, DateTime now, Func<IReadOnlyList<SendPacingLane>, T> change, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var held = names.Select(name => Lane(name, now)).ToList();
            return Task.FromResult(change(held));
        }
    }

    public Task<IReadOnlyList<SendPacingLane>> ReadAsync(DateTime now, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<SendPacingLane> lanes = [.. _lanes.Values
                .Where(lane => lane.Name == SendPacingLane.GlobalName || lane.NextSlot > now || lane.Share < 1)
                .Select(lane => new SendPacingLane { Name = lane.Name, NextSlot = lane.NextSlot, Share = lane.Share, Failures = [.. lane.Failures] })];
            return Task.FromResult(lanes);
        }
    }

    public Task ForgetIdleAsync(DateTime now, DateTime failuresSince, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var (name, _) in _lanes.Where(entry => entry.Key != SendPacingLane.GlobalName
                         && entry.Value.NextSlot <= now && entry.Value.Share >= 1 && entry.Value.Failures.All(at => at <= failuresSince)).ToList())
            {
                _lanes.Remove(name);
            }
        }
        return Task.CompletedTask;
    }

    private SendPacingLane Lane(string name, DateTime now)
    {
        if (!_lanes.TryGetValue(name, out var lane))
        {
            lane = SendPacingLane.AtRest(name, now);
            _lanes[name] = lane;
        }
        return lane;
    }
}
