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
        string? Error, IReadOnlyList<DiscoverySourceOutcome> Outcomes, IReadOnlyList<Proposal> Proposals);

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
            var caseId = await db.CasesVisibleTo(user).Where(c => c.Reference == reference).Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);
            if (caseId is null)
            {
                return null;
            }
            var run = await db.Set<DiscoveryRun>().AsNoTracking().Where(r => r.CaseId == caseId)
                .OrderByDescending(r => r.Id).Include(r => r.Contacts).FirstOrDefaultAsync(cancellationToken);
            if (run is null)
            {
                return null;
            }
            return new RunView(run.Id, run.State, run.RequestedByName, run.StartedAt, run.FinishedAt, run.Error,
                JsonSerializer.Deserialize<List<DiscoverySourceOutcome>>(run.Outcomes, OutcomeJson) ?? [],
                run.Contacts.OrderByDescending(c => c.Confidence).ThenBy(c => c.Id)
                    .Select(c => new Proposal(c.Id, c.Kind, c.Address, c.Name, c.Source, c.Confidence, c.Reason, c.EvidenceSha256,
                        c.State, c.DecidedByName, c.DecidedAt)).ToList());
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
                _ => proposal.Source == ContactSource.RdapAbuse ? "Abuse contact" : null,
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
