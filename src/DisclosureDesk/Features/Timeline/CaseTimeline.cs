using System.Text.Json;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.Features.Timeline;

public sealed record FieldChange(string Field, string? Old, string? New);

/// <summary>Appends events to a case's chain. The only way events are written.</summary>
public static class CaseTimeline
{
    private static readonly JsonSerializerOptions ChangeJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Adds the next event of <paramref name="case"/>'s chain to <paramref name="db"/> and moves the case's
    /// head. The case must already have its database id; the caller saves both in one transaction.
    /// </summary>
    public static TimelineEvent Append(
        AppDbContext db,
        Case @case,
        Actor actor,
        DateTime now,
        TimelineEventType type,
        string text,
        EventVisibility visibility = EventVisibility.Internal,
        IReadOnlyList<FieldChange>? changes = null)
    {
        var e = new TimelineEvent
        {
            CaseId = @case.Id,
            Sequence = @case.LastEventSequence + 1,
            OccurredAt = AuditChain.TruncateToStoredPrecision(now),
            ActorId = actor.Id,
            ActorName = actor.Name,
            Type = type,
            Visibility = visibility,
            Text = text.Length > CaseLimits.NoteLength ? text[..CaseLimits.NoteLength] : text,
            Changes = changes is { Count: > 0 } ? JsonSerializer.Serialize(changes, ChangeJson) : null,
            PreviousHash = @case.LastEventSequence == 0 ? AuditChain.GenesisHash : @case.LastEventHash,
        };
        e.Hash = AuditChain.ComputeHash(e, @case.Reference);
        @case.LastEventSequence = e.Sequence;
        @case.LastEventHash = e.Hash;
        @case.UpdatedAt = e.OccurredAt;
        db.TimelineEvents.Add(e);
        return e;
    }

    public static IReadOnlyList<FieldChange> ReadChanges(string? json) =>
        json is null ? [] : JsonSerializer.Deserialize<List<FieldChange>>(json, ChangeJson) ?? [];
}

/// <summary>Who did something, as recorded in the trail (the name is kept even if the account goes).</summary>
public sealed record Actor(string? Id, string Name)
{
    public static readonly Actor System = new(null, "DisclosureDesk");
}
