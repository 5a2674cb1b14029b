using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// Files the cases of a queued import, a batch of whole groups at a time: each batch's cases, timeline events, staged
/// rows and the run's progress are saved in one transaction, so a batch is all there or not at all, and a row is never
/// half imported. A cancel is honoured between batches. Safe to run twice: imported rows are no longer Pending, and a
/// finished run is left alone.
/// </summary>
public sealed class ImportCasesJob(
    IDbContextFactory<AppDbContext> dbFactory,
    TimeProvider time,
    IOptions<ImportOptions> options,
    IOptions<CaseOptions> caseOptions,
    ILogger<ImportCasesJob> logger)
{
    /// <summary>Called after each batch commits, with the number of batches done; tests use it to cancel between batches.</summary>
    internal Func<int, Task>? AfterBatch { get; set; }

    public async Task RunAsync(long runId, CancellationToken cancellationToken)
    {
        ImportRun run;
        List<ImportRow> pending;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var found = await db.Set<ImportRun>().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (found is null || found.State is not (ImportRunState.Queued or ImportRunState.Running))
            {
                return;
            }
            run = found;
            if (run.ErrorRows > 0 && !run.SkipBadRows)
            {
                await FinishAsync(runId, ImportRunState.Failed, "The file has rows with errors and skipping them was not agreed.", cancellationToken);
                return;
            }
            run.State = ImportRunState.Running;
            run.StartedAt ??= time.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
            pending = await ImportScanResults.PendingRowsAsync(db, runId, cancellationToken);
        }

        if (run.Grouping == ImportGrouping.Rescan && run.RescanOfCaseId is { } campaignId)
        {
            await RescanAsync(run, campaignId, pending, cancellationToken);
            return;
        }
        if (run.Grouping == ImportGrouping.Campaign)
        {
            await ImportCampaignAsync(run, pending, cancellationToken);
            return;
        }
        IReadOnlyDictionary<long, ImportOwnerNetwork>? networks = null;
        if (run.Grouping == ImportGrouping.PerRdapOwner)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            networks = await LookUpImportOwners.NetworksAsync(db, runId, cancellationToken);
        }
        var batches = Batches(ImportPlan.GroupRows(pending, run.Grouping, networks), options.Value.BatchSize).ToList();
        var done = 0;
        foreach (var batch in batches)
        {
            if (await CancelRequestedAsync(runId, cancellationToken))
            {
                await FinishAsync(runId, ImportRunState.Cancelled, null, cancellationToken);
                return;
            }
            try
            {
                await ImportBatchAsync(run, batch, cancellationToken);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                logger.LogError(failure, "Import {RunId} failed in batch {Batch}", runId, done + 1);
                await FinishAsync(runId, ImportRunState.Failed, $"Batch {done + 1} failed and was not imported: {failure.Message}", cancellationToken);
                return;
            }
            done++;
            if (AfterBatch is { } afterBatch)
            {
                await afterBatch(done);
            }
        }
        await FinishAsync(runId, ImportRunState.Completed, null, cancellationToken);
    }

    /// <summary>Whole groups, in file order, until a batch holds at least <paramref name="size"/> findings.</summary>
    private static IEnumerable<List<ImportPlan.Group>> Batches(IReadOnlyList<ImportPlan.Group> groups, int size)
    {
        var batch = new List<ImportPlan.Group>();
        var rows = 0;
        foreach (var group in groups)
        {
            batch.Add(group);
            rows += group.Rows.Count;
            if (rows >= size)
            {
                yield return batch;
                batch = [];
                rows = 0;
            }
        }
        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private async Task ImportBatchAsync(ImportRun run, List<ImportPlan.Group> batch, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Any failure abandons the whole batch, so the savepoint EF would set around each save (to let the batch go on
        // after a failed one) is never rolled back to: two more statements per save for nothing.
        db.Database.AutoSavepointsEnabled = false;

        // Checked again inside the batch: a case may have been filed by hand since the preview.
        var existing = await ImportScanResults.ExistingCasesAsync(db, batch.SelectMany(g => g.Rows).ToList(), cancellationToken);
        var stale = batch.SelectMany(g => g.Rows).Where(r => existing.ContainsKey((r.HostKey, r.Port))).Select(r => r.Id).ToList();
        foreach (var chunk in stale.Chunk(1000))
        {
            await db.Set<ImportRow>().Where(r => chunk.Contains(r.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.State, ImportRowState.DuplicateOfCase), cancellationToken);
        }
        var filings = new List<(CaseForm Form, List<ImportRow> Rows, ImportPlan.Group Group)>();
        foreach (var group in batch)
        {
            var fresh = group.Rows.Where(r => !existing.ContainsKey((r.HostKey, r.Port))).ToList();
            if (fresh.Count == 0)
            {
                continue;
            }
            var form = ImportPlan.Form(group with { Rows = fresh }, run);
            if (ModelValidation.Validate(form) is { Count: > 0 } invalid)
            {
                throw new InvalidOperationException($"Line {fresh[0].Line}: {CommandResult.Fail(invalid).Summary}");
            }
            filings.Add((form, fresh, group));
        }

        var origin = $"From import {run.Id}: {run.FileName} (SHA-256 {run.Sha256}).";
        var actor = new Actor(run.CreatedById, run.CreatedByName);
        IReadOnlyList<string> references = filings.Count == 0 ? [] : await CaseReferenceAllocator.NextAsync(db, caseOptions.Value.ReferencePrefix, now.Year, filings.Count, cancellationToken);
        // One prepared UPDATE per row: an ExecuteUpdate per case spent more on compiling its query (a new IN list each
        // time) than on the rows (docs/benchmarks.md, "Scan import"). A row no longer pending means another run of the
        // job got there first; the batch then fails whole instead of filing its cases twice.
        await using var markImported = await PreparedStatement.PrepareAsync(db,
            """UPDATE "ImportRow" SET "State" = @state, "CaseId" = @case WHERE "Id" = @id AND "State" = @pending""",
            ("@state", typeof(int)), ("@case", typeof(int)), ("@id", typeof(long)), ("@pending", typeof(int)));
        markImported.Set("@state", (int)ImportRowState.Imported);
        markImported.Set("@pending", (int)ImportRowState.Pending);
        // The batch's cases in two saves (cases, then their first events), not two per case: each save pays for EF's
        // change detection and command batching, which cost more than the inserts (docs/benchmarks.md, "Scan import").
        var cases = await CreateCase.FileManyAsync(db, filings.Select((f, i) => (f.Form, references[i])).ToList(), run.CreatedById, actor, now, origin,
            cancellationToken);
        for (var i = 0; i < filings.Count; i++)
        {
            await LookUpImportOwners.AddOwnerContactsAsync(db, cases[i], filings[i].Group, actor, now, run.Id, cancellationToken);
            markImported.Set("@case", cases[i].Id);
            foreach (var row in filings[i].Rows)
            {
                markImported.Set("@id", row.Id);
                if (await markImported.ExecuteAsync(cancellationToken) != 1)
                {
                    throw new InvalidOperationException($"Line {row.Line} is no longer pending: another run of this import has taken it.");
                }
            }
        }
        var created = filings.Count;
        var skipped = stale.Count;
        var rows = batch.Sum(g => g.Rows.Count);
        await db.Set<ImportRun>().Where(r => r.Id == run.Id).ExecuteUpdateAsync(set => set
            .SetProperty(r => r.RowsDone, r => r.RowsDone + rows)
            .SetProperty(r => r.CasesCreated, r => r.CasesCreated + created)
            .SetProperty(r => r.SkippedExisting, r => r.SkippedExisting + skipped), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The campaign grouping: the first batch files the umbrella case (titled and summarised from every pending row) and
    /// makes it a campaign tied to the run; every batch, the umbrella's first included, merges its findings into
    /// recipients in the same transaction as the rows' state and the run's progress. A rerun finds the umbrella by run.
    /// </summary>
    private async Task ImportCampaignAsync(ImportRun run, List<ImportRow> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            await FinishAsync(run.Id, ImportRunState.Completed, null, cancellationToken);
            return;
        }
        var form = ImportPlan.Form(ImportPlan.GroupRows(pending, ImportGrouping.Campaign).Single(), run);
        var done = 0;
        foreach (var batch in pending.Chunk(options.Value.BatchSize))
        {
            if (await CancelRequestedAsync(run.Id, cancellationToken))
            {
                await FinishAsync(run.Id, ImportRunState.Cancelled, null, cancellationToken);
                return;
            }
            try
            {
                await ImportCampaignBatchAsync(run, form, batch, cancellationToken);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                logger.LogError(failure, "Import {RunId} failed in batch {Batch}", run.Id, done + 1);
                await FinishAsync(run.Id, ImportRunState.Failed, $"Batch {done + 1} failed and was not imported: {failure.Message}", cancellationToken);
                return;
            }
            done++;
            if (AfterBatch is { } afterBatch)
            {
                await afterBatch(done);
            }
        }
        await FinishAsync(run.Id, ImportRunState.Completed, null, cancellationToken);
    }

    private async Task ImportCampaignBatchAsync(ImportRun run, CaseForm form, IReadOnlyList<ImportRow> rows, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var created = 0;
        var campaign = await db.Campaigns.AsNoTracking().SingleOrDefaultAsync(c => c.ImportRunId == run.Id, cancellationToken);
        Case umbrella;
        if (campaign is null)
        {
            if (ModelValidation.Validate(form) is { Count: > 0 } invalid)
            {
                throw new InvalidOperationException($"Line {rows[0].Line}: {CommandResult.Fail(invalid).Summary}");
            }
            umbrella = await CreateCase.FileAsync(db, form, run.CreatedById, new Actor(run.CreatedById, run.CreatedByName), now,
                caseOptions.Value.ReferencePrefix, $"From import {run.Id}: {run.FileName} (SHA-256 {run.Sha256}), as a campaign.", cancellationToken);
            await ManageCampaign.Handler.EnsureCampaignAsync(db, umbrella, now, run.Id, cancellationToken);
            created = 1;
        }
        else
        {
            umbrella = await db.Cases.SingleAsync(c => c.Id == campaign.CaseId, cancellationToken);
        }

        // A finding some other case already has is left to that case, as the other groupings do.
        var existing = await ImportScanResults.ExistingCasesAsync(db, rows, cancellationToken);
        var fresh = rows.Where(r => !existing.TryGetValue((r.HostKey, r.Port), out var c) || c.Id == umbrella.Id).ToList();
        var stale = rows.Except(fresh).Select(r => r.Id).ToList();
        var merged = await CampaignRecipientList.MergeAsync(db, umbrella.Id,
            fresh.Select(r => new CampaignRecipientList.Entry(r.ContactEmail, r.Organization, r.HostKey, CampaignRecipientList.Endpoint(r.HostKey, r.Port))),
            now, cancellationToken);
        CaseTimeline.Append(db, umbrella, new Actor(run.CreatedById, run.CreatedByName), now, TimelineEventType.CampaignChanged,
            $"Import {run.Id} ({run.FileName}): {fresh.Count} finding(s) added to the campaign: {merged.Added} new recipient(s), {merged.Updated} with new endpoints" +
            (stale.Count > 0 ? $"; {stale.Count} finding(s) skipped because another case has them." : "."));
        await db.SaveChangesAsync(cancellationToken);

        var ids = fresh.Select(r => r.Id).ToList();
        foreach (var chunk in ids.Chunk(1000))
        {
            await db.Set<ImportRow>().Where(r => chunk.Contains(r.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.State, ImportRowState.Imported).SetProperty(r => r.CaseId, umbrella.Id), cancellationToken);
        }
        foreach (var chunk in stale.Chunk(1000))
        {
            await db.Set<ImportRow>().Where(r => chunk.Contains(r.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(r => r.State, ImportRowState.DuplicateOfCase), cancellationToken);
        }
        await db.Set<ImportRun>().Where(r => r.Id == run.Id).ExecuteUpdateAsync(set => set
            .SetProperty(r => r.RowsDone, r => r.RowsDone + rows.Count)
            .SetProperty(r => r.CasesCreated, r => r.CasesCreated + created)
            .SetProperty(r => r.SkippedExisting, r => r.SkippedExisting + stale.Count), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// A rescan in one transaction: every recipient of the campaign none of whose hosts the file has is flagged possibly
    /// mitigated, and one whose host reappears is unflagged. Only the flag changes, never the recipient's state.
    /// </summary>
    private async Task RescanAsync(ImportRun run, int campaignId, List<ImportRow> pending, CancellationToken cancellationToken)
    {
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            var seen = pending.Select(r => r.HostKey).ToHashSet(StringComparer.OrdinalIgnoreCase);
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var recipients = await db.CampaignRecipients.AsNoTracking().Where(r => r.CaseId == campaignId)
                .Select(r => new { r.Id, r.Findings, r.PossiblyMitigated }).ToListAsync(cancellationToken);
            var gone = new List<long>();
            var back = new List<long>();
            foreach (var recipient in recipients)
            {
                var still = CampaignRecipientList.Hosts(recipient.Findings).Any(seen.Contains);
                if (!still && !recipient.PossiblyMitigated)
                {
                    gone.Add(recipient.Id);
                }
                else if (still && recipient.PossiblyMitigated)
                {
                    back.Add(recipient.Id);
                }
            }
            foreach (var (ids, flag) in new[] { (gone, true), (back, false) })
            {
                foreach (var chunk in ids.Chunk(1000))
                {
                    await db.CampaignRecipients.Where(r => chunk.Contains(r.Id))
                        .ExecuteUpdateAsync(set => set.SetProperty(r => r.PossiblyMitigated, flag), cancellationToken);
                }
            }
            var umbrella = await db.Cases.SingleAsync(c => c.Id == campaignId, cancellationToken);
            var total = recipients.Count(r => r.PossiblyMitigated) + gone.Count - back.Count;
            CaseTimeline.Append(db, umbrella, new Actor(run.CreatedById, run.CreatedByName), now, TimelineEventType.CampaignChanged,
                $"Rescan import {run.Id} ({run.FileName}, SHA-256 {run.Sha256}): {seen.Count} hosts still exposed; {gone.Count} recipient(s) newly possibly mitigated, " +
                $"{back.Count} whose hosts reappeared; {total} possibly mitigated in all. States are unchanged.");
            await db.SaveChangesAsync(cancellationToken);
            var rowIds = pending.Select(r => r.Id).ToList();
            foreach (var chunk in rowIds.Chunk(1000))
            {
                await db.Set<ImportRow>().Where(r => chunk.Contains(r.Id))
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.State, ImportRowState.Imported).SetProperty(r => r.CaseId, campaignId), cancellationToken);
            }
            await db.Set<ImportRun>().Where(r => r.Id == run.Id).ExecuteUpdateAsync(set => set.SetProperty(r => r.RowsDone, pending.Count), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            logger.LogError(failure, "Rescan import {RunId} failed", run.Id);
            await FinishAsync(run.Id, ImportRunState.Failed, $"The rescan failed and changed nothing: {failure.Message}", cancellationToken);
            return;
        }
        await FinishAsync(run.Id, ImportRunState.Completed, null, cancellationToken);
    }

    private async Task<bool> CancelRequestedAsync(long runId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<ImportRun>().Where(r => r.Id == runId).Select(r => r.CancelRequested).SingleAsync(cancellationToken);
    }

    private async Task FinishAsync(long runId, ImportRunState state, string? error, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        await db.Set<ImportRun>().Where(r => r.Id == runId).ExecuteUpdateAsync(set => set
            .SetProperty(r => r.State, state)
            .SetProperty(r => r.FinishedAt, now)
            .SetProperty(r => r.Error, error), cancellationToken);
    }
}
