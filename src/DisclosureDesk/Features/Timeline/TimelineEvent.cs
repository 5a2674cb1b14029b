namespace DisclosureDesk.Features.Timeline;

public enum EventVisibility
{
    Internal = 0,
    Owner = 1,
    Public = 2,
}

public enum TimelineEventType
{
    CaseCreated = 0,
    FieldsChanged = 1,
    StatusChanged = 2,
    CaseReopened = 3,
    TeamChanged = 4,
    ContactAdded = 5,
    ContactRemoved = 6,
    ContactVerified = 7,
    NoteAdded = 8,
    EmailSent = 9,
    EmailFailed = 10,
    EmailOutcomeUnknown = 11,
    OwnerNotified = 12,
    FollowUpsChanged = 13,
    ResponseLogged = 14,
    EvidenceAdded = 15,
    EvidenceAccessed = 16,
    EvidencePurged = 17,
    DeadlineChanged = 18,
    EmailBounced = 19,
    InboundMailTriaged = 20,
}

/// <summary>
/// One entry of a case's append-only audit trail. <see cref="Hash"/> covers the event's canonical
/// content and <see cref="PreviousHash"/>, so editing, removing or reordering any event breaks the chain.
/// </summary>
public class TimelineEvent
{
    public long Id { get; set; }
    public int CaseId { get; set; }

    /// <summary>1-based position in the case's chain.</summary>
    public int Sequence { get; set; }
    public DateTime OccurredAt { get; set; }
    public string? ActorId { get; set; }
    public string ActorName { get; set; } = "";
    public TimelineEventType Type { get; set; }
    public EventVisibility Visibility { get; set; }
    public string Text { get; set; } = "";

    /// <summary>JSON list of field changes (<c>[{"field":…,"old":…,"new":…}]</c>), or null.</summary>
    public string? Changes { get; set; }
    public string PreviousHash { get; set; } = "";
    public string Hash { get; set; } = "";
}
