using DisclosureDesk.Infrastructure.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Re-triggers delivery for every row whose time has come but which no job has taken: Hangfire's record of
/// the job was lost, the app stopped before it enqueued one, or a job died holding the row in Sending. Also forgets
/// the sending lanes at rest, which would otherwise keep one per recipient domain ever mailed.
/// </summary>
public sealed class SweepOutboxJob(IDbContextFactory<AppDbContext> dbFactory, SendPacer pacer, IBackgroundJobClient jobs, TimeProvider time)
{
    /// <summary>Hangfire normally starts a due row's delivery within a second; only rows overdue by more are swept.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>Enqueues one delivery run if any row is overdue (the run takes them all); returns how many are.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var overdue = now - Grace;
        var claimLapsed = now - OutboxRetryPolicy.SendingLease;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var count = await db.OutboxMessages.CountAsync(DeliverOutboxJob.Takeable(overdue, claimLapsed), cancellationToken);
        if (count > 0)
        {
            jobs.Enqueue<DeliverOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
        await pacer.ForgetIdleLanesAsync(now, cancellationToken);
        return count;
    }
}
