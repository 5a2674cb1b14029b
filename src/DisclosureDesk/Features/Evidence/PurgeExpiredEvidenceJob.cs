using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Evidence;

/// <summary>
/// Deletes the content of evidence on cases closed for longer than the retention period, keeping each file's
/// name and hash, and records the purge on the case. Recurring and idempotent; a reopened case keeps its evidence.
/// </summary>
public sealed class PurgeExpiredEvidenceJob(
    IDbContextFactory<AppDbContext> dbFactory,
    CaseWriter writer,
    IOptions<EvidenceOptions> options,
    TimeProvider time,
    ILogger<PurgeExpiredEvidenceJob> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var retention = TimeSpan.FromDays(options.Value.RetentionDays);
        var closedBefore = time.GetUtcNow().UtcDateTime - retention;
        List<int> caseIds;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            caseIds = await db.EvidenceFiles.AsNoTracking()
                .Where(e => e.PurgedAt == null && db.Cases.Any(c => c.Id == e.CaseId && c.ClosedAt != null && c.ClosedAt <= closedBefore))
                .Select(e => e.CaseId)
                .Distinct()
                .ToListAsync(cancellationToken);
        }
        foreach (var caseId in caseIds)
        {
            await writer.ChangeAsSystemAsync(caseId, async (db, @case, now) =>
            {
                if (@case.ClosedAt is not { } closedAt || closedAt > now - retention || CaseStatusMachine.IsOpen(@case.Status))
                {
                    return CommandResult.Fail("The case was reopened meanwhile.");
                }
                var files = await db.EvidenceFiles
                    .Where(e => e.CaseId == @case.Id && e.PurgedAt == null)
                    .OrderBy(e => e.Id)
                    .ToListAsync(cancellationToken);
                if (files.Count == 0)
                {
                    return CommandResult.Fail("Nothing left to purge.");
                }
                foreach (var file in files)
                {
                    file.PurgedAt = now;
                }
                // Deleted in the database, not loaded first: the bytes may be large. The delete runs in the writer's
                // transaction, so a retry or a failure rolls it back with the rest.
                var ids = files.Select(f => f.Id).ToList();
                await db.Set<EvidenceContent>().Where(c => ids.Contains(c.EvidenceFileId)).ExecuteDeleteAsync(cancellationToken);
                CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.EvidencePurged,
                    $"Evidence content deleted {options.Value.RetentionDays} days after the case was closed on {closedAt:yyyy-MM-dd} UTC; names and hashes are kept: " +
                    string.Join("; ", files.Select(f => $"\"{f.FileName}\" (SHA-256 {f.Sha256})")) + ".");
                logger.LogInformation("Purged {Count} evidence file(s) of case {Reference}", files.Count, @case.Reference);
                return CommandResult.Success;
            }, cancellationToken);
        }
    }
}
