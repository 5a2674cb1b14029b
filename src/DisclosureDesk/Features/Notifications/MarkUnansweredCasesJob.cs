using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Moves a notified case whose owner stayed silent past its No-response date to No response. Recurring and
/// idempotent: a case already moved, answered or paused is left alone.
/// </summary>
public sealed class MarkUnansweredCasesJob(IDbContextFactory<AppDbContext> dbFactory, CaseWriter writer, TimeProvider time, ILogger<MarkUnansweredCasesJob> logger)
{
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
            var reference = "";
            var result = await writer.ChangeAsSystemAsync(caseId, async (db, @case, changedAt) =>
            {
                // Read again inside the transaction: an answer or a pause may have come in since the query above.
                if (@case.Status != CaseStatus.Notified || @case.FollowUpsPausedAt is not null || @case.NoResponseAt is not { } noResponseAt || noResponseAt > changedAt)
                {
                    return CommandResult.Fail("The case no longer waits for an answer.");
                }
                @case.Status = CaseStatus.NoResponse;
                CaseTimeline.Append(db, @case, Actor.System, changedAt, TimelineEventType.StatusChanged,
                    $"Status changed from {CaseStatus.Notified.DisplayName()} to {CaseStatus.NoResponse.DisplayName()}: no answer since the first notification on {@case.FirstNotifiedAt:yyyy-MM-dd}.",
                    changes: [new FieldChange("Status", CaseStatus.Notified.DisplayName(), CaseStatus.NoResponse.DisplayName())]);
                await FollowUpSchedule.CancelAsync(db, @case, Actor.System, changedAt, "the owner did not answer", cancellationToken);
                reference = @case.Reference;
                return CommandResult.Success;
            }, cancellationToken);
            if (result.Succeeded)
            {
                logger.LogInformation("Case {Reference} marked No response", reference);
            }
        }
    }
}
