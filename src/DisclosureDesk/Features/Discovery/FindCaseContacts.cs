using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Text;
using System.Text.Json;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Hangfire;
using Microsoft.EntityFrameworkCore;
using CaseContactSource = DisclosureDesk.Features.Cases.ContactSource;

namespace DisclosureDesk.Features.Discovery;

/// <summary>
/// "Find contacts" on a case: starts a discovery run as a background job (<see cref="FindOwnerContactsJob"/>),
/// shows the latest run, and lets the team accept a proposal (it becomes a case contact) or reject it.
/// </summary>
public static class FindCaseContacts
{
    public const int MaxExtraDomains = 10;

    public static readonly JsonSerializerOptions OutcomeJson = new(JsonSerializerDefaults.Web);

    public sealed record Proposal(long Id, ContactKind Kind, string Address, string? Name, ContactSource Source, ContactConfidence Confidence,
        string Reason, string EvidenceSha256, ProposalState State, string? DecidedByName, DateTime? DecidedAt);

    public sealed record RunView(long Id, DiscoveryRunState State, string RequestedByName, DateTime StartedAt, DateTime? FinishedAt,
        string? Error, IReadOnlyList<SourceRow> Outcomes, IReadOnlyList<Proposal> Proposals)
    {
        public int Finished => Outcomes.Count(o => o.State is SourceState.Succeeded or SourceState.Failed);
    }

    public enum SourceState
    {
        Pending,
        Running,
        [Display(Name = "Done")]
        Succeeded,
        Failed,
    }

    /// <summary>
    /// One source for one target as the case page shows it. A pending row has no target yet: it stands for a source
    /// the run has not reached, whose targets are only known once the earlier phases end.
    /// </summary>
    public sealed record SourceRow(DiscoverySource Source, string? Target, SourceState State, string? Error)
    {
        public bool Succeeded => State == SourceState.Succeeded;
    }

    /// <summary>
    /// <see cref="DiscoveryRun.Outcomes"/>' stored form: the job writes it as each source starts and ends, and the
    /// final <see cref="DiscoverySourceOutcome"/> list when the run ends (which reads back with Running false).
    /// </summary>
    public sealed record StoredOutcome(DiscoverySource Source, string Target, bool Succeeded, string? Error, bool Running = false);

    /// <summary>The raw bytes a proposal was read from, for download.</summary>
    public sealed record EvidenceDownload(string FileName, string MediaType, byte[] Content);

    /// <summary>
    /// A run whose job was lost (never queued, or deleted from Hangfire) would block the case for good. Discovery's
    /// own timeouts end a real run well within this, so an older run counts as abandoned and a new one may start;
    /// the lost job, if it ever runs, finds its run no longer Running and does nothing.
    /// </summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(15);

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, CaseWriter writer, IBackgroundJobClient jobs)
    {
        /// <summary>Records a running discovery for the case and queues the job that does it.</summary>
        public async Task<CommandResult> StartAsync(string reference, string? extraDomains, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var domains = ParseDomains(extraDomains, out var problem);
            if (problem is not null)
            {
                return CommandResult.Fail(problem, "Domains");
            }
            DiscoveryRun? run = null;
            var result = await writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                var running = await db.Set<DiscoveryRun>().Where(r => r.CaseId == @case.Id && r.State == DiscoveryRunState.Running).ToListAsync(cancellationToken);
                if (running.Any(r => r.StartedAt > now - AbandonedAfter))
                {
                    return CommandResult.Fail("Contact discovery is already running for this case; wait for it to finish.");
                }
                foreach (var abandoned in running)
                {
                    abandoned.State = DiscoveryRunState.Failed;
                    abandoned.FinishedAt = now;
                    abandoned.Error = $"Abandoned: no result within {AbandonedAfter.TotalMinutes:N0} minutes of the start.";
                }
                run = new DiscoveryRun
                {
                    CaseId = @case.Id,
                    RequestedById = user.Id,
                    RequestedByName = user.Name,
                    StartedAt = now,
                    State = DiscoveryRunState.Running,
                    Domains = string.Join('\n', domains),
                };
                db.Add(run);
                // The event moves the case's audit head, so two simultaneous starts conflict and the retry sees the first run.
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.OwnerDiscoveryStarted,
                    domains.Count == 0 ? $"Owner discovery started for {@case.Host}."
                        : $"Owner discovery started for {@case.Host} and {string.Join(", ", domains)}.");
                return CommandResult.Success;
            }, cancellationToken);
            if (result.Succeeded)
            {
                var runId = run!.Id;
                jobs.Enqueue<FindOwnerContactsJob>(job => job.RunAsync(runId, CancellationToken.None));
            }
            return result;
        }

        /// <summary>The case's latest run with its proposals; null when the user may not see the case or nothing ran yet.</summary>
        public async Task<RunView?> LatestAsync(string reference, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var target = await db.CasesVisibleTo(user).Where(c => c.Reference == reference).Select(c => new { c.Id, c.Host }).SingleOrDefaultAsync(cancellationToken);
            if (target is null)
            {
                return null;
            }
            var run = await db.Set<DiscoveryRun>().AsNoTracking().Where(r => r.CaseId == target.Id)
                .OrderByDescending(r => r.Id).Include(r => r.Contacts).FirstOrDefaultAsync(cancellationToken);
            if (run is null)
            {
                return null;
            }
            return new RunView(run.Id, run.State, run.RequestedByName, run.StartedAt, run.FinishedAt, run.Error,
                SourceRows(JsonSerializer.Deserialize<List<StoredOutcome>>(run.Outcomes, OutcomeJson) ?? [],
                    run.State == DiscoveryRunState.Running, hostIsName: !IPAddress.TryParse(target.Host.Trim('[', ']'), out _)),
                run.Contacts.OrderByDescending(c => c.Confidence).ThenBy(c => c.Id)
                    .Select(c => new Proposal(c.Id, c.Kind, c.Address, c.Name, c.Source, c.Confidence, c.Reason, c.EvidenceSha256,
                        c.State, c.DecidedByName, c.DecidedAt)).ToList());
        }

        /// <summary>
        /// The evidence a proposal was read from, as stored with its run; null when the user may not see the case or
        /// the proposal is not on it. Public data the owner published, so reading it is not a timeline event.
        /// </summary>
        public async Task<EvidenceDownload?> EvidenceAsync(string reference, long proposalId, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var evidence = await (
                from @case in db.CasesVisibleTo(user)
                where @case.Reference == reference
                join proposal in db.Set<DiscoveredContact>() on @case.Id equals proposal.CaseId
                where proposal.Id == proposalId
                join record in db.Set<DiscoveryEvidenceRecord>() on new { proposal.RunId, Sha256 = proposal.EvidenceSha256 } equals new { record.RunId, record.Sha256 }
                select new { record.MediaType, record.Content }).AsNoTracking().SingleOrDefaultAsync(cancellationToken);
            if (evidence is null)
            {
                return null;
            }
            var name = evidence.MediaType switch
            {
                "text/plain" => "security.txt",
                "application/rdap+json" => "rdap.json",
                "application/pkix-cert" => "certificate.der",
                _ => "evidence.bin",
            };
            return new EvidenceDownload($"{reference}-proposal-{proposalId}-{name}", evidence.MediaType, evidence.Content);
        }

        /// <summary>Accepting adds the proposal as a case contact; either way the decision is recorded on the case.</summary>
        public Task<CommandResult> DecideAsync(string reference, long proposalId, bool accept, CurrentUser user, CancellationToken cancellationToken = default) =>
            writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                var proposal = await db.Set<DiscoveredContact>().SingleOrDefaultAsync(c => c.Id == proposalId && c.CaseId == @case.Id, cancellationToken);
                if (proposal is null)
                {
                    return CommandResult.Fail("That proposal is not on this case.");
                }
                if (proposal.State != ProposalState.Proposed)
                {
                    return CommandResult.Fail($"That proposal was already {proposal.State.ToString().ToLowerInvariant()}.");
                }
                if (accept)
                {
                    var form = ToContactForm(proposal);
                    var errors = ModelValidation.Validate(form);
                    if (errors.Count > 0)
                    {
                        return CommandResult.Fail(errors);
                    }
                    ManageCaseContacts.Handler.Add(db, @case, user, now, form);
                }
                proposal.State = accept ? ProposalState.Accepted : ProposalState.Rejected;
                proposal.DecidedById = user.Id;
                proposal.DecidedByName = user.Name;
                proposal.DecidedAt = now;
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.ContactProposalDecided,
                    $"Proposed contact {(accept ? "accepted" : "rejected")}: {proposal.Address} ({proposal.Source}, {proposal.Confidence} confidence, evidence SHA-256 {proposal.EvidenceSha256}).");
                return CommandResult.Success;
            }, cancellationToken);

        private static ManageCaseContacts.ContactForm ToContactForm(DiscoveredContact proposal) => new()
        {
            Name = Truncate(proposal.Name ?? proposal.Address, CaseLimits.NameLength),
            Email = proposal.Kind == ContactKind.Email ? proposal.Address : null,
            Role = proposal.Kind switch
            {
                ContactKind.Web => "Reporting web page",
                ContactKind.Phone => "Phone",
                _ => proposal.Source == ContactSource.RdapAbuse ? Escalation.EscalationLadder.AbuseContactRole : null,
            },
            Source = proposal.Source switch
            {
                ContactSource.SecurityTxt => CaseContactSource.SecurityTxt,
                ContactSource.RdapAbuse => CaseContactSource.RdapAbuse,
                ContactSource.RdapRegistrant => CaseContactSource.WHOIS,
                _ => CaseContactSource.TlsCertificate,
            },
        };

        private static string Truncate(string text, int length) => text.Length > length ? text[..length] : text;
    }

    /// <summary>
    /// The rows the case page lists, in source order: what the run recorded, and while it runs one pending row for each
    /// source not reached yet. A source with no row once a later phase has begun was skipped (no address to look up),
    /// so it is not pending.
    /// </summary>
    public static IReadOnlyList<SourceRow> SourceRows(IReadOnlyList<StoredOutcome> stored, bool running, bool hostIsName)
    {
        var rows = stored.Select(o => new SourceRow(o.Source, o.Target,
            o.Running && running ? SourceState.Running : o.Succeeded ? SourceState.Succeeded : SourceState.Failed,
            o.Running && !running ? "Did not finish before the run ended." : o.Error)).ToList();
        if (running)
        {
            var latestPhase = rows.Count == 0 ? -1 : rows.Max(r => Phase(r.Source));
            rows.AddRange(Enum.GetValues<DiscoverySource>()
                .Where(source => (hostIsName || source != DiscoverySource.HostAddress)
                    && Phase(source) >= latestPhase && rows.All(r => r.Source != source))
                .Select(source => new SourceRow(source, null, SourceState.Pending, null)));
        }
        return rows.OrderBy(r => r.Source).ThenBy(r => r.Target is null).ThenBy(r => r.Target, StringComparer.Ordinal).ToList();
    }

    // The phases of OwnerDiscovery: the host's address; reverse DNS, TLS and RDAP side by side; security.txt.
    private static int Phase(DiscoverySource source) => source switch
    {
        DiscoverySource.HostAddress => 0,
        DiscoverySource.SecurityTxt => 2,
        _ => 1,
    };

    /// <summary>Extra domains separated by spaces, commas or new lines; each must be a DNS name.</summary>
    public static IReadOnlyList<string> ParseDomains(string? text, out string? problem)
    {
        problem = null;
        var domains = (text ?? "").Split([' ', ',', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(d => d.TrimEnd('.').ToLowerInvariant()).Distinct(StringComparer.Ordinal).ToList();
        if (domains.Count > MaxExtraDomains)
        {
            problem = $"Add at most {MaxExtraDomains} domains.";
            return [];
        }
        var invalid = domains.FirstOrDefault(d => d.Length > CaseLimits.HostLength || Uri.CheckHostName(d) != UriHostNameType.Dns);
        if (invalid is not null)
        {
            problem = $"\"{invalid}\" is not a domain name.";
            return [];
        }
        return domains;
    }

    /// <summary>
    /// The timeline text of a finished run: every piece of evidence's hash, then every source's outcome. The hashes
    /// come first because the timeline caps an event's text, and they are what the chain must commit to.
    /// </summary>
    public static string Describe(DiscoveryReport report, IReadOnlyCollection<DiscoveryEvidence> evidence)
    {
        const int MaxErrorLength = 200;
        var text = new StringBuilder($"Owner discovery for {report.Host}: {report.Contacts.Count} contact(s) proposed.");
        foreach (var item in evidence)
        {
            text.Append($"\nEvidence {item.Origin} ({item.MediaType}, {item.Content.Length} bytes) SHA-256 {item.Sha256}");
        }
        foreach (var outcome in report.Outcomes)
        {
            var error = outcome.Error is { Length: > MaxErrorLength } full ? full[..MaxErrorLength] + "…" : outcome.Error;
            text.Append($"\n{outcome.Source} {outcome.Target}: {(outcome.Succeeded ? "succeeded" : "failed: " + error)}");
        }
        return text.ToString();
    }
}
