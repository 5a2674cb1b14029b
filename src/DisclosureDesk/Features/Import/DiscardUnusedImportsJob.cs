using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// Deletes scan files that were uploaded but never imported, with their staged rows, once they are older than
/// <see cref="ImportOptions.DiscardUnusedAfterHours"/>: a scan file lists exposed hosts and is as sensitive as a case,
/// so it is not kept for nothing. The run itself stays, marked <see cref="ImportRunState.Discarded"/>, so its page
/// says what happened. Recurring and idempotent.
/// </summary>
public sealed class DiscardUnusedImportsJob(
    IDbContextFactory<AppDbContext> dbFactory,
    ImportScanResults.Handler imports,
    IOptions<ImportOptions> options,
    TimeProvider time,
    ILogger<DiscardUnusedImportsJob> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var createdBefore = now - TimeSpan.FromHours(options.Value.DiscardUnusedAfterHours);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var candidates = await db.Set<ImportRun>().AsNoTracking()
            .Where(r => (r.State == ImportRunState.Uploaded || r.State == ImportRunState.Staged) && r.CreatedAt < createdBefore)
            .Select(r => r.Id)
            .ToListAsync(cancellationToken);
        var discarded = 0;
        foreach (var runId in candidates)
        {
            // The state is the guard: a researcher starting the import at this moment moves the run to Queued with
            // the same kind of conditional update, so exactly one of the two wins and a queued run keeps its rows.
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var claimed = await db.Set<ImportRun>()
                .Where(r => r.Id == runId && (r.State == ImportRunState.Uploaded || r.State == ImportRunState.Staged))
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.State, ImportRunState.Discarded).SetProperty(r => r.FinishedAt, now), cancellationToken);
            if (claimed == 0)
            {
                continue;
            }
            await db.Set<ImportRow>().Where(r => r.RunId == runId).ExecuteDeleteAsync(cancellationToken);
            await db.Set<ImportOwnerNetwork>().Where(n => n.RunId == runId).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            File.Delete(imports.UploadPath(runId));
            discarded++;
        }
        var leftovers = imports.DeleteInterruptedUploads(createdBefore);
        if (discarded > 0 || leftovers > 0)
        {
            logger.LogInformation("Discarded {Runs} unused import(s) and {Leftovers} interrupted upload(s)", discarded, leftovers);
        }
    }
}
