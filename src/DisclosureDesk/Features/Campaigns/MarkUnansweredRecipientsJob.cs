using System.Globalization;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Campaigns;

/// <summary>
/// Moves campaign recipients who were sent every follow-up and stayed silent past their No-response date to No response,
/// a batch per transaction with one entry on the campaign's trail. Recurring and idempotent: a recipient who answered,
/// bounced or was moved already no longer matches.
/// </summary>
public sealed class MarkUnansweredRecipientsJob(IDbContextFactory<AppDbContext> dbFactory, CaseWriter writer, TimeProvider time, ILogger<MarkUnansweredRecipientsJob> logger)
{
    private const int Batch = 500;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        List<int> campaigns;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            campaigns = await db.CampaignRecipients.AsNoTracking()
                .Where(r => (r.State == CampaignRecipientState.Sent || r.State == CampaignRecipientState.AutoReplied) && r.NoResponseAt <= now)
                .Select(r => r.CaseId).Distinct().ToListAsync(cancellationToken);
        }
        foreach (var caseId in campaigns)
        {
            var moved = Batch;
            while (moved == Batch)
            {
                moved = 0;
                await writer.ChangeAsSystemAsync(caseId, async (db, @case, changedAt) =>
                {
                    var silent = await db.CampaignRecipients
                        .Where(r => r.CaseId == caseId && (r.State == CampaignRecipientState.Sent || r.State == CampaignRecipientState.AutoReplied) && r.NoResponseAt <= changedAt)
                        .OrderBy(r => r.Id).Take(Batch).ToListAsync(cancellationToken);
                    if (silent.Count == 0)
                    {
                        return CommandResult.Fail("Nobody is past their No-response date.");
                    }
                    foreach (var recipient in silent)
                    {
                        recipient.State = CampaignRecipientStates.Next(recipient.State, CampaignEvent.FollowUpsExhausted);
                        recipient.StateChangedAt = changedAt;
                        recipient.StateDetail = string.Create(CultureInfo.InvariantCulture, $"no answer since {recipient.NotifiedAt:yyyy-MM-dd}");
                    }
                    CaseTimeline.Append(db, @case, Actor.System, changedAt, TimelineEventType.CampaignChanged,
                        $"{silent.Count} campaign recipient(s) reached their No-response date without answering: " +
                        string.Join(", ", silent.Take(50).Select(r => r.Email)) + (silent.Count > 50 ? ", …" : "") + ".");
                    moved = silent.Count;
                    return CommandResult.Success;
                }, cancellationToken);
            }
            logger.LogInformation("Campaign case {CaseId}: silent recipients marked No response", caseId);
        }
    }
}
