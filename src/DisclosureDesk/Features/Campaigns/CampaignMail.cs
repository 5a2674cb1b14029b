using DisclosureDesk.Components.Shared;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Campaigns;

/// <summary>
/// What mail means for one campaign recipient: the outbox's delivery results and the mailbox's replies and bounces move
/// that recipient's state, and the events that end the chasing cancel only that recipient's follow-ups. Runs inside the
/// caller's transaction, the one that records the same fact on the umbrella case's audit chain.
/// </summary>
public static class CampaignMail
{
    /// <summary>The outbox dedup key of a recipient's notification: a rerun of "Send campaign" cannot write it twice.</summary>
    public static string NotifyKey(long recipientId, int round) =>
        round <= 1 ? $"campaign:{recipientId}:notify" : $"campaign:{recipientId}:notify:{round}";

    public static string FollowUpKey(long recipientId, int round, int step) =>
        round <= 1 ? $"campaign:{recipientId}:follow-up-{step}" : $"campaign:{recipientId}:follow-up-{step}:{round}";

    /// <summary>
    /// Moves the recipient by <paramref name="happened"/> and, when the new state ends the chasing, cancels its scheduled
    /// follow-ups. Returns a sentence for the case's trail when something changed, else null.
    /// </summary>
    public static async Task<string?> ApplyAsync(AppDbContext db, long recipientId, CampaignEvent happened, DateTime now, string? detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var recipient = await db.CampaignRecipients.SingleOrDefaultAsync(r => r.Id == recipientId, cancellationToken);
        if (recipient is null)
        {
            return null;
        }
        var before = recipient.State;
        var next = CampaignRecipientStates.Next(before, happened);
        if (next == before)
        {
            return null;
        }
        recipient.State = next;
        recipient.StateChangedAt = now;
        recipient.StateDetail = Wording.Clip(detail, CampaignLimits.DetailLength);
        var cancelled = CampaignRecipientStates.EndsFollowUps(next)
            ? await CancelFollowUpsAsync(db, recipientId, $"the recipient is {next.ToString().ToLowerInvariant()}", cancellationToken)
            : 0;
        return $"Campaign recipient {recipient.Email ?? recipient.Key}: {Display(before)} → {Display(next)}" +
               (string.IsNullOrWhiteSpace(detail) ? "." : $" ({Wording.Clip(detail, CampaignLimits.DetailLength)}).") +
               (cancelled > 0 ? $" {cancelled} scheduled follow-up(s) to this recipient cancelled." : "");
    }

    /// <summary>Cancels the recipient's follow-ups that have not gone out; other recipients' stay as they are.</summary>
    public static Task<int> CancelFollowUpsAsync(AppDbContext db, long recipientId, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        // A delivery run claiming one of these rows now loses on the new version, or this update finds it Sending and leaves it.
        var version = Guid.NewGuid();
        return db.OutboxMessages
            .Where(m => m.CampaignRecipientId == recipientId && m.Purpose == OutboxPurpose.CampaignFollowUp && m.State == OutboxState.Scheduled)
            .ExecuteUpdateAsync(set => set
                .SetProperty(m => m.State, OutboxState.Cancelled)
                .SetProperty(m => m.LastError, reason)
                .SetProperty(m => m.Version, version), cancellationToken);
    }

    public static string Display(CampaignRecipientState state) => state.DisplayName();
}
