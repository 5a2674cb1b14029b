namespace DisclosureDesk.Features.Campaigns;

/// <summary>What happened to one recipient's mail; each moves its state by <see cref="CampaignRecipientStates.Next"/>.</summary>
public enum CampaignEvent
{
    /// <summary>A missing or bounced address was replaced by one to try.</summary>
    AddressCorrected,
    /// <summary>The notification was written to the outbox.</summary>
    Queued,
    /// <summary>Our server accepted a message to the recipient.</summary>
    Delivered,
    /// <summary>Our server refused it for good (5xx), or temporary failures outlasted the retry policy.</summary>
    DeliveryFailed,
    /// <summary>A delivery status notification came back for the address (permanent).</summary>
    Bounced,
    AutoReplied,
    Replied,
    MarkedMitigated,
    /// <summary>The No-response date passed with every follow-up sent and no answer.</summary>
    FollowUpsExhausted,
}

/// <summary>
/// The one set of rules for a recipient's state, pure so it is tested on its own. An answer outranks everything but
/// Mitigated; a bounce or refusal outranks being sent; what arrives late (a delivery after a reply) changes nothing.
/// </summary>
public static class CampaignRecipientStates
{
    public static CampaignRecipientState Next(CampaignRecipientState current, CampaignEvent happened) => (current, happened) switch
    {
        (CampaignRecipientState.NoAddress or CampaignRecipientState.Bounced, CampaignEvent.AddressCorrected) => CampaignRecipientState.Pending,
        (CampaignRecipientState.Pending, CampaignEvent.Queued) => CampaignRecipientState.Scheduled,
        (CampaignRecipientState.Scheduled, CampaignEvent.Delivered) => CampaignRecipientState.Sent,
        (CampaignRecipientState.Scheduled or CampaignRecipientState.Sent or CampaignRecipientState.AutoReplied or CampaignRecipientState.NoResponse,
            CampaignEvent.DeliveryFailed or CampaignEvent.Bounced) => CampaignRecipientState.Bounced,
        (CampaignRecipientState.Scheduled or CampaignRecipientState.Sent, CampaignEvent.AutoReplied) => CampaignRecipientState.AutoReplied,
        (not CampaignRecipientState.Mitigated and not CampaignRecipientState.NoAddress and not CampaignRecipientState.Pending, CampaignEvent.Replied) => CampaignRecipientState.Replied,
        (not CampaignRecipientState.NoAddress, CampaignEvent.MarkedMitigated) => CampaignRecipientState.Mitigated,
        (CampaignRecipientState.Sent or CampaignRecipientState.AutoReplied, CampaignEvent.FollowUpsExhausted) => CampaignRecipientState.NoResponse,
        _ => current,
    };

    /// <summary>Whether the recipient's scheduled follow-ups should go: they answered, their address is dead, or it is fixed.</summary>
    public static bool EndsFollowUps(CampaignRecipientState state) =>
        state is CampaignRecipientState.Bounced or CampaignRecipientState.Replied or CampaignRecipientState.Mitigated or CampaignRecipientState.NoResponse;

    /// <summary>States in which a corrected address may be sent the notification again.</summary>
    public static bool CanResend(CampaignRecipientState state) => state is CampaignRecipientState.Bounced or CampaignRecipientState.NoAddress;
}
