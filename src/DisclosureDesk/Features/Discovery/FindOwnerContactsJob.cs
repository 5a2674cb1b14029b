using System.Text.Json;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Discovery;

/// <summary>
/// Runs the discovery a case's "Find contacts" started, records each source's start and end on the run as it happens
/// (the case page's progress), and stores what it found with one timeline event. Safe to run twice: a run that is no
/// longer Running is left alone.
/// </summary>
public sealed class FindOwnerContactsJob(
    IDbContextFactory<AppDbContext> dbFactory,
    OwnerDiscovery discovery,
    CaseWriter writer,
    ILogger<FindOwnerContactsJob> logger)
{
    public async Task RunAsync(long runId, CancellationToken cancellationToken)
    {
        string host;
        string domains;
        int caseId;
        int port;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var run = await db.Set<DiscoveryRun>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
            if (run is null || run.State != DiscoveryRunState.Running)
            {
                return;
            }
            caseId = run.CaseId;
            domains = run.Domains;
            var target = await db.Cases.Where(c => c.Id == run.CaseId).Select(c => new { c.Host, c.Port }).SingleAsync(cancellationToken);
            (host, port) = (target.Host, target.Port);
        }

        DiscoveryReport report;
        using var progress = new ProgressLog(runId, dbFactory, logger);
        try
        {
            report = await discovery.DiscoverAsync(
                new DiscoveryRequest(host, domains.Split('\n', StringSplitOptions.RemoveEmptyEntries), TlsPorts(port)), progress.RecordAsync, cancellationToken);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            logger.LogError(failure, "Owner discovery run {RunId} failed", runId);
            await FinishAsync(caseId, runId, null, failure.Message, cancellationToken);
            return;
        }
        await FinishAsync(caseId, runId, report, null, cancellationToken);
    }

    // The case's own service often speaks TLS (a database, an admin panel) and its certificate may name the owner.
    private static int[] TlsPorts(int casePort) => casePort is > 0 and not 443 ? [443, casePort] : [443];

    private Task FinishAsync(int caseId, long runId, DiscoveryReport? report, string? error, CancellationToken cancellationToken) =>
        writer.ChangeAsSystemAsync(caseId, async (db, @case, now) =>
        {
            var run = await db.Set<DiscoveryRun>().SingleAsync(r => r.Id == runId, cancellationToken);
            if (run.State != DiscoveryRunState.Running)
            {
                return CommandResult.Fail("The run already finished.");
            }
            run.FinishedAt = now;
            if (report is null)
            {
                run.State = DiscoveryRunState.Failed;
                run.Error = error is { Length: > CaseLimits.LongTextLength } ? error[..CaseLimits.LongTextLength] : error;
                CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.OwnerDiscoveryRun, $"Owner discovery failed: {error}");
                return CommandResult.Success;
            }

            var evidence = report.Contacts.Select(c => c.Evidence).DistinctBy(e => e.Sha256).ToList();
            run.State = DiscoveryRunState.Completed;
            run.Outcomes = JsonSerializer.Serialize(report.Outcomes, FindCaseContacts.OutcomeJson);
            run.Evidence.AddRange(evidence.Select(e => new DiscoveryEvidenceRecord { Sha256 = e.Sha256, Origin = e.Origin, MediaType = e.MediaType, Content = e.Content }));
            run.Contacts.AddRange(report.Contacts.Select(c => new DiscoveredContact
            {
                CaseId = caseId,
                Kind = c.Kind,
                Address = c.Address,
                Name = c.Name,
                Source = c.Source,
                Confidence = c.Confidence,
                Reason = c.Reason,
                EvidenceSha256 = c.Evidence.Sha256,
                State = ProposalState.Proposed,
            }));

            var changes = new List<FieldChange>();
            if (string.IsNullOrWhiteSpace(@case.Asn) && report.Network?.Autnum is { } autnum)
            {
                @case.Asn = $"AS{autnum}";
                changes.Add(new FieldChange(nameof(Case.Asn), null, @case.Asn));
            }
            if (string.IsNullOrWhiteSpace(@case.HostingProvider) && (report.Network?.Organisation ?? report.Network?.AutnumName) is { Length: > 0 } provider)
            {
                @case.HostingProvider = provider.Length > CaseLimits.NameLength ? provider[..CaseLimits.NameLength] : provider;
                changes.Add(new FieldChange(nameof(Case.HostingProvider), null, @case.HostingProvider));
            }
            CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.OwnerDiscoveryRun,
                FindCaseContacts.Describe(report, evidence), changes: changes);
            return CommandResult.Success;
        }, cancellationToken);

    /// <summary>
    /// The run's sources as they start and end, written to <see cref="DiscoveryRun.Outcomes"/> with a context of its
    /// own per step. Writes take turns, so a later state never loses to an earlier one, and only touch a run still
    /// Running: an abandoned run's late job changes nothing. A failed write is logged and skipped; the run's final
    /// write records every outcome anyway.
    /// </summary>
    private sealed class ProgressLog(long runId, IDbContextFactory<AppDbContext> dbFactory, ILogger logger) : IDisposable
    {
        private readonly List<FindCaseContacts.StoredOutcome> _rows = [];
        private readonly SemaphoreSlim _turn = new(1, 1);

        public async Task RecordAsync(DiscoveryProgress progress, CancellationToken cancellationToken)
        {
            await _turn.WaitAsync(cancellationToken);
            try
            {
                Apply(progress);
                var json = JsonSerializer.Serialize(_rows, FindCaseContacts.OutcomeJson);
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                await db.Set<DiscoveryRun>().Where(r => r.Id == runId && r.State == DiscoveryRunState.Running)
                    .ExecuteUpdateAsync(set => set.SetProperty(r => r.Outcomes, json), cancellationToken);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                logger.LogWarning(failure, "Could not record the progress of owner discovery run {RunId}", runId);
            }
            finally
            {
                _turn.Release();
            }
        }

        public void Dispose() => _turn.Dispose();

        private void Apply(DiscoveryProgress progress)
        {
            var started = _rows.FindIndex(r => r.Running && r.Source == progress.Source && r.Target == progress.Target);
            var row = new FindCaseContacts.StoredOutcome(progress.Source, progress.Target,
                progress.Step == DiscoveryStep.Succeeded, progress.Error, Running: progress.Step == DiscoveryStep.Started);
            if (started >= 0 && progress.Step != DiscoveryStep.Started)
            {
                _rows[started] = row;
            }
            else
            {
                _rows.Add(row);
            }
        }
    }
}
