namespace DisclosureDesk.Features.Cases;

/// <summary>One exposed datastore, or one owner's set of them, and the effort to get it fixed.</summary>
public class Case
{
    public int Id { get; set; }

    /// <summary>The human case id, <c>PREFIX-YYYY-NNNNN</c>, unique and never reused.</summary>
    public string Reference { get; set; } = "";

    public string Title { get; set; } = "";
    public string? Summary { get; set; }
    public Severity Severity { get; set; }
    public string Tags { get; set; } = "";

    public CaseStatus Status { get; set; }
    public RejectionReason? RejectionReason { get; set; }
    public string? DuplicateOfReference { get; set; }

    public ServiceEngine Service { get; set; }
    public string Host { get; set; } = "";

    /// <summary>Lower-cased host, indexed for prefix search.</summary>
    public string HostKey { get; set; } = "";
    public int Port { get; set; }
    public string? Asn { get; set; }
    public string? HostingProvider { get; set; }
    public ServiceAuthentication AuthenticationState { get; set; }
    public string? DatabaseNames { get; set; }
    public long? RecordCount { get; set; }
    public RecordCountMethod RecordCountMethod { get; set; }
    public DataCategories DataCategories { get; set; }
    public string? AffectedCountry { get; set; }
    public string? DiscoveryMethod { get; set; }
    public DateTime? FirstSeenAt { get; set; }
    public DateTime? LastSeenAt { get; set; }
    public bool RansomNotePresent { get; set; }

    public string? OrganizationName { get; set; }

    /// <summary>Lower-cased organisation name, indexed for prefix search.</summary>
    public string? OrganizationKey { get; set; }
    public string? OrganizationWebsite { get; set; }

    /// <summary>When the owner was first sent a notification; the disclosure deadline counts from here.</summary>
    public DateTime? FirstNotifiedAt { get; set; }

    /// <summary>The disclosure policy chosen when the owner was notified, by name.</summary>
    public string? DisclosurePolicy { get; set; }

    /// <summary>The policy's id (<c>project-zero</c>, <c>custom</c>, …) and days, so its rules can be applied again later.</summary>
    public string? DisclosurePolicyId { get; set; }
    public int? DisclosureDays { get; set; }

    /// <summary>
    /// When the details may be published under the policy: the date deadline reminders count down to. Recomputed
    /// when the owner fixes the exposure or a grace period is granted (<see cref="Notifications.DisclosurePolicy.DatesFor"/>).
    /// </summary>
    public DateTime? DisclosureDeadlineAt { get; set; }

    /// <summary>When the case first became Mitigated: the fix that starts a patch-adoption period.</summary>
    public DateTime? FixedAt { get; set; }

    /// <summary>When the researcher granted the owner the policy's grace period; null when not granted.</summary>
    public DateTime? GraceGrantedAt { get; set; }

    /// <summary>When an unanswered case becomes No response, unless the owner answers or follow-ups are paused.</summary>
    public DateTime? NoResponseAt { get; set; }

    /// <summary>When a person on the owner's side first answered (not an automatic reply); null while they are silent.</summary>
    public DateTime? FirstResponseAt { get; set; }

    /// <summary>Set while the researcher has paused the follow-ups; resuming shifts the remaining dates by the pause.</summary>
    public DateTime? FollowUpsPausedAt { get; set; }

    /// <summary>The rungs of the escalation ladder this case climbs while the owner stays silent; None: the ladder is off.</summary>
    public Escalation.EscalationSteps EscalationSteps { get; set; }

    /// <summary>Days of silence before each rung; null: the configured default (<c>Escalation:SilenceDays</c>).</summary>
    public int? EscalationSilenceDays { get; set; }

    /// <summary>The highest rung reached, by an email or by skipping it for want of a recipient; None: only the owner was written to.</summary>
    public Escalation.EscalationSteps EscalationReached { get; set; }

    /// <summary>Since when the silence before the next rung counts: the first notification, then the last rung sent; a pause moves it later.</summary>
    public DateTime? EscalationSilenceSince { get; set; }

    /// <summary>When the case last reached a final status (closed, rejected, published); null while open. Retention counts from here.</summary>
    public DateTime? ClosedAt { get; set; }

    public string LeadId { get; set; } = "";
    public List<CaseMember> Members { get; set; } = [];
    public List<CaseContact> Contacts { get; set; } = [];

    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }

    /// <summary>
    /// Head of the audit chain. Doubles as the optimistic-concurrency token, so two writers can never
    /// append the same sequence number, and lets verification notice events cut off the end.
    /// </summary>
    public int LastEventSequence { get; set; }
    public string LastEventHash { get; set; } = "";
}

public class CaseMember
{
    public int CaseId { get; set; }
    public string UserId { get; set; } = "";
    public DateTime AddedAt { get; set; }
}

public class CaseContact
{
    public int Id { get; set; }
    public int CaseId { get; set; }
    public string Name { get; set; } = "";
    public string? Email { get; set; }
    public string? Role { get; set; }
    public ContactSource Source { get; set; }
    public DateTime? VerifiedAt { get; set; }
    public DateTime AddedAt { get; set; }

    /// <summary>Set when mail to <see cref="Email"/> bounced; a permanent bounce keeps the owner's mail from this contact.</summary>
    public BounceSeverity? Bouncing { get; set; }
    public DateTime? BouncedAt { get; set; }

    /// <summary>The status code and diagnostic the receiving server gave.</summary>
    public string? BounceDetail { get; set; }
}

public enum BounceSeverity
{
    /// <summary>4.x.x, Action: delayed: the server keeps trying.</summary>
    Temporary = 0,
    /// <summary>5.x.x, Action: failed: the address does not take mail.</summary>
    Permanent = 1,
}

/// <summary>The last case number handed out in a year; allocation is one atomic upsert.</summary>
public class CaseNumberCounter
{
    public int Year { get; set; }
    public int LastNumber { get; set; }
}
