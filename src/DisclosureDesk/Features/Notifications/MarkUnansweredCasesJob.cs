using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Moves a notified case whose owner stayed silent past its No-response date to No response. Recurring and
/// idempotent: a case already moved, answered or paused is left alone.
/// </summary>
public sealed class MarkUnansweredCasesJob(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, ILogger<MarkUnansweredCasesJob> logger)
{
    private const int MaxAttempts = 5;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<int> due;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            due = await db.Cases.AsNoTracking()
                .Where(c => c.Status == CaseStatus.Notified && c.FollowUpsPausedAt == null && c.NoResponseAt != null && c.NoResponseAt <= now)
                .Select(c => c.Id)
                .ToListAsync(cancellationToken);
        }
        foreach (var caseId in due)
        {
            await MarkAsync(caseId, now, cancellationToken);
        }
    }

    private async Task MarkAsync(int caseId, DateTime now, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var @case = await db.Cases.SingleAsync(c => c.Id == caseId, cancellationToken);
            if (@case.Status != CaseStatus.Notified || @case.FollowUpsPausedAt is not null || @case.NoResponseAt is not { } noResponseAt || noResponseAt > now)
            {
                return;
            }
            @case.Status = CaseStatus.NoResponse;
            CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.StatusChanged,
                $"Status changed from {CaseStatus.Notified.DisplayName()} to {CaseStatus.NoResponse.DisplayName()}: no answer since the first notification on {@case.FirstNotifiedAt:yyyy-MM-dd}.",
                changes: [new FieldChange("Status", CaseStatus.Notified.DisplayName(), CaseStatus.NoResponse.DisplayName())]);
            await FollowUpSchedule.CancelAsync(db, @case, Actor.System, now, "the owner did not answer", cancellationToken);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Case {Reference} marked No response", @case.Reference);
                return;
            }
            catch (DbUpdateException conflict) when (conflict.IsWriteConflict() && attempt < MaxAttempts)
            {
                await transaction.RollbackAsync(cancellationToken);
            }
        }
    }
}
