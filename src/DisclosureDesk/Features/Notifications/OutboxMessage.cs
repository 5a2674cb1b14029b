using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Notifications;

/// <summary>Groups of <see cref="OutboxState"/> that several features ask about.</summary>
public static class OutboxStates
{
    /// <summary>Not gone out yet: waiting for its time, or for its next attempt.</summary>
    public static readonly OutboxState[] NotYetSent = [OutboxState.Scheduled, OutboxState.Due];
}

public enum OutboxState
{
    /// <summary>Waiting for a later <see cref="OutboxMessage.DueAt"/> (a follow-up, a reminder).</summary>
    Scheduled = 0,
    /// <summary>Its time has come, or it waits for the next attempt after a temporary failure.</summary>
    Due = 1,
    /// <summary>Claimed by a delivery job; the claim lapses after <see cref="OutboxRetryPolicy.SendingLease"/>.</summary>
    Sending = 2,
    Sent = 3,
    /// <summary>Refused for good (5xx), or temporary failures for longer than the retry policy allows.</summary>
    Failed = 4,
    Cancelled = 5,
    /// <summary>It may or may not have been accepted; a person decides whether to send it again.</summary>
    Unknown = 6,
}

/// <summary>Why an email exists; decides what may cancel it and whether its delivery is proof on the case's audit trail.</summary>
public enum OutboxPurpose
{
    /// <summary>The first notification of a case's owner.</summary>
    [Display(Name = "Owner notification")] OwnerNotification = 0,
    /// <summary>A reminder to the owner; cancelled when they answer, the case ends or follow-ups are paused.</summary>
    [Display(Name = "Owner follow-up")] OwnerFollowUp = 1,
    /// <summary>A disclosure-deadline reminder to a member of the case team.</summary>
    [Display(Name = "Deadline reminder")] DeadlineReminder = 2,
    /// <summary>A researcher's daily list of overdue items.</summary>
    [Display(Name = "Overdue digest")] OverdueDigest = 3,
    /// <summary>Account confirmation, password reset.</summary>
    Account = 4,
    /// <summary>To a hosting provider, national CERT or data-protection authority, asking them to reach a silent owner.</summary>
    Escalation = 5,
    /// <summary>The first email of a campaign to one recipient (<see cref="OutboxMessage.CampaignRecipientId"/>).</summary>
    [Display(Name = "Campaign notification")] CampaignNotification = 6,
    /// <summary>A reminder to one campaign recipient; cancelled when that recipient answers, bounces or is marked mitigated.</summary>
    [Display(Name = "Campaign follow-up")] CampaignFollowUp = 7,
}

public static class OutboxPurposes
{
    /// <summary>
    /// Emails about a case to those outside the team (its owner, and whoever the case was escalated to): their delivery
    /// results are proof of notification in the case's audit chain.
    /// </summary>
    public static bool IsNoticeOnRecord(this OutboxPurpose purpose) =>
        purpose is OutboxPurpose.OwnerNotification or OutboxPurpose.OwnerFollowUp or OutboxPurpose.Escalation
            or OutboxPurpose.CampaignNotification or OutboxPurpose.CampaignFollowUp;
}

/// <summary>
/// One outbound email, the source of truth for its delivery. Written in the same transaction as the event that
/// caused it; Hangfire only triggers delivery, and the sweep re-triggers anything Hangfire lost.
/// </summary>
public class OutboxMessage
{
    public long Id { get; set; }

    /// <summary>The case the email is about; null for account emails.</summary>
    public int? CaseId { get; set; }

    public OutboxPurpose Purpose { get; set; }

    /// <summary>The campaign recipient the email is to, for campaign emails: their delivery result moves that recipient's state.</summary>
    public long? CampaignRecipientId { get; set; }

    /// <summary>
    /// Set on emails that a recurring job derives from the current state (reminders, digests): the same key is
    /// never written twice (a unique index), so a rerun or a second instance of the job cannot send it again.
    /// </summary>
    public string? DedupKey { get; set; }

    /// <summary>The recipients' addresses, comma-separated, as in the To header.</summary>
    public string To { get; set; } = "";
    public string Subject { get; set; } = "";

    /// <summary>The complete rendered message (RFC 5322, CRLF line ends); exactly these bytes are sent on every attempt.</summary>
    public byte[] Content { get; set; } = [];

    /// <summary>Fixed at creation and in <see cref="Content"/>, so every retry is recognisably the same message.</summary>
    public string MessageId { get; set; } = "";
    public OutboxState State { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime DueAt { get; set; }

    /// <summary>When a delivery job may next try: <see cref="DueAt"/> at first, later the retry time.</summary>
    public DateTime NextAttemptAt { get; set; }

    /// <summary>When the current <see cref="OutboxState.Sending"/> claim was taken.</summary>
    public DateTime? ClaimedAt { get; set; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTime? SentAt { get; set; }

    /// <summary>Hex SHA-256 of <see cref="Content"/> as handed to the server, recorded when it was accepted.</summary>
    public string? Sha256 { get; set; }

    /// <summary>Changes on every state change, so two jobs cannot both claim the row.</summary>
    public Guid Version { get; set; }
}
