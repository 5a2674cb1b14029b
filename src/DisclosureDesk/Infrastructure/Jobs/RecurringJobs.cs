using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Escalation;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Import;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses.Mail;
using Hangfire;

namespace DisclosureDesk.Infrastructure.Jobs;

/// <summary>The one list of recurring jobs. Registering is idempotent, so it runs at every start-up.</summary>
public static class RecurringJobs
{
    public const string OutboxSweep = "outbox-sweep";
    public const string UnansweredCases = "unanswered-cases";
    public const string EvidenceRetention = "evidence-retention";
    public const string ResearcherReminders = "researcher-reminders";
    public const string InboundMail = "inbound-mail";
    public const string Escalations = "escalations";
    public const string UnusedImports = "unused-imports";
    public const string UnansweredCampaignRecipients = "unanswered-campaign-recipients";

    public static void Register(IRecurringJobManager manager, InboundOptions inbound)
    {
        ArgumentNullException.ThrowIfNull(inbound);
        manager.AddOrUpdate<SweepOutboxJob>(OutboxSweep, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<MarkUnansweredCasesJob>(UnansweredCases, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        manager.AddOrUpdate<MarkUnansweredRecipientsJob>(UnansweredCampaignRecipients, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        manager.AddOrUpdate<PurgeExpiredEvidenceJob>(EvidenceRetention, job => job.RunAsync(CancellationToken.None), Cron.Daily());
        // Every quarter hour: reminders go out at the local hour also in zones offset by 30 or 45 minutes.
        manager.AddOrUpdate<SendResearcherRemindersJob>(ResearcherReminders, job => job.RunAsync(CancellationToken.None), "*/15 * * * *");
        manager.AddOrUpdate<EscalateSilentCasesJob>(Escalations, job => job.RunAsync(CancellationToken.None), "*/15 * * * *");
        manager.AddOrUpdate<DiscardUnusedImportsJob>(UnusedImports, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        // Only while a mailbox is configured; removing the setting removes the job rather than leaving a no-op polling.
        if (inbound.Enabled)
        {
            manager.AddOrUpdate<PollInboundMailJob>(InboundMail, job => job.RunAsync(CancellationToken.None), Cron.MinuteInterval(inbound.PollMinutes));
        }
        else
        {
            manager.RemoveIfExists(InboundMail);
        }
    }
}
