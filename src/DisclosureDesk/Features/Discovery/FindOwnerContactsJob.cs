using System.Text.Json;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Discovery;

/// <summary>
/// Runs the discovery a case's "Find contacts" started and stores what it found with one timeline event. Safe to run
/// twice: a run that is no longer Running is left alone.
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
        try
        {
            report = await discovery.DiscoverAsync(
                new DiscoveryRequest(host, domains.Split('\n', StringSplitOptions.RemoveEmptyEntries), TlsPorts(port)), null, cancellationToken);
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
}
