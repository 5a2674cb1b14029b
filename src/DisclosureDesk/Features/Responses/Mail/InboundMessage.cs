using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Evidence;

namespace DisclosureDesk.Features.Responses.Mail;

public enum InboundState
{
    /// <summary>Threaded into a case automatically.</summary>
    Matched = 0,
    /// <summary>No case found: waits on the triage page.</summary>
    Unmatched = 1,
    /// <summary>Could not be read (unparseable, too large): waits on the triage page with its error.</summary>
    Quarantined = 2,
    /// <summary>A researcher put it on a case from the triage page.</summary>
    Assigned = 3,
    /// <summary>A researcher decided it belongs to no case.</summary>
    Discarded = 4,
}

public enum InboundMatch
{
    [Display(Name = "In-Reply-To/References")] MessageId = 0,
    [Display(Name = "Case reference in the subject")] SubjectReference = 1,
    [Display(Name = "Assigned by a researcher")] Manual = 2,
}

/// <summary>
/// One message read from the mailbox: what it was, where it went, and (until it is on a case) its raw bytes,
/// encrypted. <see cref="DedupKey"/> is unique, so reading the same message again adds nothing.
/// </summary>
public class InboundMessage
{
    public long Id { get; set; }

    /// <summary>Hex SHA-256 of the Message-ID, or of the raw bytes when the message has none.</summary>
    public string DedupKey { get; set; } = "";
    public string? MessageId { get; set; }
    public string Folder { get; set; } = "";
    public long UidValidity { get; set; }
    public long Uid { get; set; }

    /// <summary>Hex SHA-256 of the raw message as the server returned it (null when too large to download).</summary>
    public string? Sha256 { get; set; }
    public long Length { get; set; }
    public string? From { get; set; }
    public string? Subject { get; set; }

    /// <summary>The Date header, when it parsed; else null.</summary>
    public DateTime? SentAt { get; set; }
    public DateTime ReceivedAt { get; set; }
    public InboundKind? Kind { get; set; }

    /// <summary>Why the classifier decided so, and for bounces which recipients failed.</summary>
    public string? Classification { get; set; }
    public InboundState State { get; set; }
    public InboundMatch? MatchedBy { get; set; }

    /// <summary>Why the message was quarantined.</summary>
    public string? Error { get; set; }
    public int? CaseId { get; set; }

    /// <summary>The raw message as evidence on the case, once it is on one.</summary>
    public long? EvidenceFileId { get; set; }
    public EvidenceFile? Evidence { get; set; }

    /// <summary>The raw message, encrypted, while it is on no case; cleared when it moves into the case's evidence.</summary>
    public byte[]? Ciphertext { get; set; }
    public string? TriagedById { get; set; }
    public string? TriagedByName { get; set; }
    public DateTime? TriagedAt { get; set; }
    public string? DiscardReason { get; set; }
}

/// <summary>How far a folder has been read: the highest stored UID, valid only for its UIDVALIDITY.</summary>
public class InboundFolder
{
    public string Name { get; set; } = "";
    public long UidValidity { get; set; }
    public long LastUid { get; set; }
    public DateTime? LastPolledAt { get; set; }
}

public static class InboundLimits
{
    public const int TextLength = 998;
}
