using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Notifications;
using Hangfire;

namespace DisclosureDesk.Infrastructure.Jobs;

/// <summary>The one list of recurring jobs. Registering is idempotent, so it runs at every start-up.</summary>
public static class RecurringJobs
{
    public const string OutboxSweep = "outbox-sweep";
    public const string UnansweredCases = "unanswered-cases";
    public const string EvidenceRetention = "evidence-retention";

    public static void Register(IRecurringJobManager manager)
    {
        manager.AddOrUpdate<SweepOutboxJob>(OutboxSweep, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        manager.AddOrUpdate<MarkUnansweredCasesJob>(UnansweredCases, job => job.RunAsync(CancellationToken.None), Cron.Hourly());
        manager.AddOrUpdate<PurgeExpiredEvidenceJob>(EvidenceRetention, job => job.RunAsync(CancellationToken.None), Cron.Daily());
    }
}
