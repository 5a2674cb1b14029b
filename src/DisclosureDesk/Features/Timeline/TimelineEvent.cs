using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Timeline;

public enum EventVisibility
{
    Internal = 0,
    Owner = 1,
    Public = 2,
}

public enum TimelineEventType
{
    [Display(Name = "Created")] CaseCreated = 0,
    [Display(Name = "Fields changed")] FieldsChanged = 1,
    [Display(Name = "Status changed")] StatusChanged = 2,
    [Display(Name = "Reopened")] CaseReopened = 3,
    [Display(Name = "Team changed")] TeamChanged = 4,
    [Display(Name = "Contact added")] ContactAdded = 5,
    [Display(Name = "Contact removed")] ContactRemoved = 6,
    [Display(Name = "Contact verified")] ContactVerified = 7,
    [Display(Name = "Note")] NoteAdded = 8,
    [Display(Name = "Email sent")] EmailSent = 9,
    [Display(Name = "Email failed")] EmailFailed = 10,
    [Display(Name = "Email outcome unknown")] EmailOutcomeUnknown = 11,
    [Display(Name = "Owner notified")] OwnerNotified = 12,
    [Display(Name = "Follow-ups")] FollowUpsChanged = 13,
    [Display(Name = "Response")] ResponseLogged = 14,
    [Display(Name = "Evidence added")] EvidenceAdded = 15,
    [Display(Name = "Evidence downloaded")] EvidenceAccessed = 16,
    [Display(Name = "Evidence purged")] EvidencePurged = 17,
    [Display(Name = "Deadline changed")] DeadlineChanged = 18,
    [Display(Name = "Email bounced")] EmailBounced = 19,
    [Display(Name = "Incoming mail triaged")] InboundMailTriaged = 20,
    [Display(Name = "Owner discovery started")] OwnerDiscoveryStarted = 21,
    [Display(Name = "Owner discovery run")] OwnerDiscoveryRun = 22,
    [Display(Name = "Contact proposal decided")] ContactProposalDecided = 23,
    [Display(Name = "Escalated")] Escalated = 24,
    [Display(Name = "Escalation step skipped")] EscalationStepSkipped = 25,
    [Display(Name = "Escalation ladder changed")] EscalationLadderChanged = 26,
    [Display(Name = "Exported")] CaseExported = 27,
    [Display(Name = "Campaign")] CampaignChanged = 28,
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
