using System.Net;
using System.Security.Cryptography;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Discovery;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.IntegrationTests.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CaseContactSource = DisclosureDesk.Features.Cases.ContactSource;
using ContactSource = DisclosureDesk.Features.Discovery.ContactSource;
using SourceState = DisclosureDesk.Features.Discovery.FindCaseContacts.SourceState;

namespace DisclosureDesk.IntegrationTests.Features.Discovery;

/// <summary>
/// "Find contacts" on a case: the handler records a run and queues the job; the job (run here directly, with the
/// discovery services of <see cref="DiscoveryHarness"/> against the loopback server) stores the proposals, the evidence
/// and one timeline event; the team accepts or rejects proposals.
/// </summary>
public abstract class FindCaseContactsTests : IAsyncLifetime
{
    private const string RdapJson = "application/rdap+json";
    private readonly DisclosureDeskFactory _app;
    private LoopbackHttpsServer _server = null!;

    private FindCaseContactsTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : FindCaseContactsTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : FindCaseContactsTests(app);

    public async ValueTask InitializeAsync()
    {
        _server = await LoopbackHttpsServer.StartAsync();
        _server.Serve("/.well-known/security.txt", DiscoverySamples.Bytes("google-style.txt"), "text/plain; charset=utf-8");
        _server.Serve("/arin/ip/127.0.0.1", DiscoverySamples.Bytes("rdap-arin-style.json"), RdapJson);
        _server.Serve("/arin/autnum/15169", DiscoverySamples.Bytes("rdap-arin-autnum.json"), RdapJson);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task RunAsync_EverySourceAnswers_StoresProposalsEvidenceAndOneTimelineEventWithTheHashes()
    {
        var (lead, reference) = await CaseOnLoopbackAsync("run");
        var runId = await StartAndRunAsync(reference, lead);

        var run = await LatestAsync(reference, lead);
        Assert.Equal((runId, DiscoveryRunState.Completed), (run!.Id, run.State));
        // Nothing listens on loopback's port 443; the certificate comes from the case's own port, the test server.
        Assert.All(run.Outcomes.Where(o => o.Target != "127.0.0.1:443"), o => Assert.True(o.Succeeded, o.Error));
        Assert.Contains(run.Outcomes, o => o is { Source: DiscoverySource.TlsCertificate, Succeeded: true });
        Assert.Contains(run.Proposals, p => p is { Source: ContactSource.TlsCertificate, Address: LoopbackHttpsServer.CertificateEmail });
        var fileSha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(DiscoverySamples.Bytes("google-style.txt")));
        var fromFile = Assert.Single(run.Proposals, p => p.Address == "security@google.com");
        Assert.Equal((ContactSource.SecurityTxt, ContactConfidence.High, fileSha, ProposalState.Proposed),
            (fromFile.Source, fromFile.Confidence, fromFile.EvidenceSha256, fromFile.State));
        Assert.Contains(run.Proposals, p => p is { Source: ContactSource.RdapAbuse, Address: "network-abuse@google.com" });

        var stored = await _app.ExecuteDbContextAsync(db => db.Set<DiscoveryEvidenceRecord>().SingleAsync(e => e.RunId == runId && e.Sha256 == fileSha));
        Assert.Equal(DiscoverySamples.Bytes("google-style.txt"), stored.Content);

        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Equal(("AS15169", "Google LLC"), (details!.Case.Asn, details.Case.HostingProvider));
        Assert.True(details.Chain.IsValid, details.Chain.Problem);
        var events = await TimelineAsync(reference, lead);
        var recorded = Assert.Single(events, e => e.Type == TimelineEventType.OwnerDiscoveryRun);
        Assert.Equal(Actor.System.Name, recorded.ActorName);
        Assert.Contains($"SHA-256 {fileSha}", recorded.Text, StringComparison.Ordinal);
        Assert.Contains("SecurityTxt localhost: succeeded", recorded.Text, StringComparison.Ordinal);
        Assert.Contains(CaseTimeline.ReadChanges(recorded.Changes), c => c is { Field: nameof(Case.Asn), Old: null, New: "AS15169" });
    }

    [Fact]
    public async Task RunAsync_RdapAnswersGarbage_CompletesTheRunWithTheOtherSourcesAndShowsTheError()
    {
        _server.Serve("/arin/ip/127.0.0.1", """{"objectClassName": "ip network", "entities": [{"vcardArray": "abuse@example.org"}]}""", RdapJson);
        var (lead, reference) = await CaseOnLoopbackAsync("garbage");
        await StartAndRunAsync(reference, lead);

        var run = await LatestAsync(reference, lead);
        Assert.Equal(DiscoveryRunState.Completed, run!.State);
        var rdap = Assert.Single(run.Outcomes, o => o.Source == DiscoverySource.Rdap);
        Assert.False(rdap.Succeeded);
        Assert.Contains("is not a jCard", rdap.Error, StringComparison.Ordinal);
        Assert.Contains(run.Proposals, p => p.Source == ContactSource.SecurityTxt);
        Assert.DoesNotContain(run.Proposals, p => p.Source == ContactSource.RdapAbuse);
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Null(details!.Case.Asn);
        Assert.Contains("Rdap 127.0.0.1: failed:", Assert.Single(await TimelineAsync(reference, lead), e => e.Type == TimelineEventType.OwnerDiscoveryRun).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SecurityTxtStillLoading_TheSourcesThatEndedAreAlreadyOnTheRun()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var fileRequested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answerFile = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _server.Map("/.well-known/security.txt", async context =>
        {
            fileRequested.TrySetResult();
            await answerFile.Task;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.Body.WriteAsync(DiscoverySamples.Bytes("google-style.txt"));
        });
        var (lead, reference) = await CaseOnLoopbackAsync("progress");
        var runId = await StartRunAsync(reference, lead);

        var job = RunJobAsync(runId);
        // security.txt is fetched only once reverse DNS, TLS and RDAP have all ended.
        await fileRequested.Task.WaitAsync(cancellationToken);
        var during = await LatestAsync(reference, lead);
        answerFile.SetResult();
        await job;
        var after = await LatestAsync(reference, lead);

        Assert.Equal(DiscoveryRunState.Running, during!.State);
        Assert.Contains(during.Outcomes, o => o is { Source: DiscoverySource.Rdap, Target: "127.0.0.1", State: SourceState.Succeeded });
        Assert.Contains(during.Outcomes, o => o is { Source: DiscoverySource.TlsCertificate, State: SourceState.Succeeded });
        Assert.Contains(during.Outcomes, o => o.Source == DiscoverySource.ReverseDns);
        Assert.All(during.Outcomes.Where(o => o.Source != DiscoverySource.SecurityTxt),
            o => Assert.True(o.State is SourceState.Succeeded or SourceState.Failed, $"{o.Source} {o.Target} is {o.State}"));
        Assert.Contains(during.Outcomes, o => o is { Source: DiscoverySource.SecurityTxt, Target: "localhost", State: SourceState.Running });
        Assert.Equal(during.Outcomes.Count(o => o.Source != DiscoverySource.SecurityTxt), during.Finished);
        Assert.Equal(DiscoveryRunState.Completed, after!.State);
        Assert.Contains(after.Outcomes, o => o is { Source: DiscoverySource.SecurityTxt, Target: "localhost", State: SourceState.Succeeded });
        Assert.DoesNotContain(after.Outcomes, o => o.State is SourceState.Running or SourceState.Pending);
    }

    [Fact]
    public async Task EvidenceAsync_ThroughTheEndpoint_GivesTheTeamEachProposalsBytesAndAStrangerA404()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var (lead, reference) = await CaseOnLoopbackAsync("evidence");
        var stranger = await _app.CreateResearcherAsync("discovery-evidence-stranger");
        await StartAndRunAsync(reference, lead);
        var proposals = (await LatestAsync(reference, lead))!.Proposals;
        using var leadBrowser = await _app.SignInAsync(lead);
        using var strangerBrowser = await _app.SignInAsync(stranger);

        Assert.Contains(proposals, p => p.Source == ContactSource.RdapAbuse);
        foreach (var proposal in proposals)
        {
            var url = new Uri($"/cases/{reference}/discovery/proposals/{proposal.Id}/evidence", UriKind.Relative);
            using var asLead = await leadBrowser.GetAsync(url, cancellationToken);
            using var asStranger = await strangerBrowser.GetAsync(url, cancellationToken);

            Assert.Equal(HttpStatusCode.OK, asLead.StatusCode);
            var bytes = await asLead.Content.ReadAsByteArrayAsync(cancellationToken);
            Assert.Equal(proposal.EvidenceSha256, Convert.ToHexStringLower(SHA256.HashData(bytes)));
            Assert.Equal("attachment", asLead.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("nosniff", Assert.Single(asLead.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal(HttpStatusCode.NotFound, asStranger.StatusCode);
        }
        var file = Assert.Single(proposals, p => p.Address == "security@google.com");
        using var fileResponse = await leadBrowser.GetAsync(new Uri($"/cases/{reference}/discovery/proposals/{file.Id}/evidence", UriKind.Relative), cancellationToken);
        Assert.Equal(DiscoverySamples.Bytes("google-style.txt"), await fileResponse.Content.ReadAsByteArrayAsync(cancellationToken));
        Assert.Equal("text/plain", fileResponse.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{reference}-proposal-{file.Id}-security.txt", fileResponse.Content.Headers.ContentDisposition?.FileNameStar);
    }

    [Fact]
    public async Task StartAsync_RunAlreadyRunning_IsRefusedAndNothingIsQueued()
    {
        var (lead, reference) = await CaseOnLoopbackAsync("twice");
        var jobs = new RecordingJobClient();
        Assert.True((await StartAsync(reference, lead, jobs)).Succeeded);

        var second = await StartAsync(reference, lead, jobs);

        Assert.False(second.Succeeded);
        Assert.Equal("Contact discovery is already running for this case; wait for it to finish.", second.Summary);
        Assert.Single(jobs.Requests);
        Assert.Equal(1, await _app.ExecuteDbContextAsync(db => db.Set<DiscoveryRun>().CountAsync(r => db.Cases.Any(c => c.Id == r.CaseId && c.Reference == reference))));
    }

    [Fact]
    public async Task StartAsync_RunWhoseJobWasLost_IsMarkedAbandonedAndANewRunStarts()
    {
        var (lead, reference) = await CaseOnLoopbackAsync("lost");
        var jobs = new RecordingJobClient();
        Assert.True((await StartAsync(reference, lead, jobs)).Succeeded);
        _app.Time.Advance(FindCaseContacts.AbandonedAfter + TimeSpan.FromMinutes(1));

        var again = await StartAsync(reference, lead, jobs);

        Assert.True(again.Succeeded, again.Summary);
        Assert.Equal(2, jobs.Requests.Count);
        var runs = await _app.ExecuteDbContextAsync(db => db.Set<DiscoveryRun>()
            .Where(r => db.Cases.Any(c => c.Id == r.CaseId && c.Reference == reference)).OrderBy(r => r.Id).ToListAsync());
        Assert.Equal([DiscoveryRunState.Failed, DiscoveryRunState.Running], runs.Select(r => r.State));
        Assert.StartsWith("Abandoned:", runs[0].Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_ExtraDomainNotADomain_IsRefusedAndNothingIsStored()
    {
        var (lead, reference) = await CaseOnLoopbackAsync("baddomain");
        var jobs = new RecordingJobClient();

        var result = await StartAsync(reference, lead, jobs, "example.org, http://x/y");

        Assert.Equal(["\"http://x/y\" is not a domain name."], result.Errors["Domains"]);
        Assert.Empty(jobs.Requests);
        Assert.Null(await LatestAsync(reference, lead));
    }

    [Fact]
    public async Task DecideAsync_Accept_AddsTheCaseContactWithItsSourceAndRecordsTheDecision()
    {
        var (lead, reference) = await CaseOnLoopbackAsync("accept");
        await StartAndRunAsync(reference, lead);
        var proposal = Assert.Single((await LatestAsync(reference, lead))!.Proposals, p => p.Address == "security@google.com");

        var accepted = await DecideAsync(reference, proposal.Id, accept: true, lead);
        var again = await DecideAsync(reference, proposal.Id, accept: false, lead);

        Assert.True(accepted.Succeeded, accepted.Summary);
        Assert.Equal("That proposal was already accepted.", again.Summary);
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        var contact = Assert.Single(details!.Case.Contacts);
        Assert.Equal(("security@google.com", CaseContactSource.SecurityTxt), (contact.Email, contact.Source));
        Assert.True(details.Chain.IsValid, details.Chain.Problem);
        var after = Assert.Single((await LatestAsync(reference, lead))!.Proposals, p => p.Id == proposal.Id);
        Assert.Equal((ProposalState.Accepted, lead.Current.Name), (after.State, after.DecidedByName));
        var events = await TimelineAsync(reference, lead);
        Assert.Contains(events, e => e.Type == TimelineEventType.ContactAdded);
        Assert.Contains(proposal.EvidenceSha256, Assert.Single(events, e => e.Type == TimelineEventType.ContactProposalDecided).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DecideAsync_Reject_RecordsTheDecisionAndAddsNoContact()
    {
        var (lead, reference) = await CaseOnLoopbackAsync("reject");
        await StartAndRunAsync(reference, lead);
        var proposal = Assert.Single((await LatestAsync(reference, lead))!.Proposals, p => p.Source == ContactSource.RdapAbuse);

        var rejected = await DecideAsync(reference, proposal.Id, accept: false, lead);

        Assert.True(rejected.Succeeded, rejected.Summary);
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.Empty(details!.Case.Contacts);
        Assert.Equal(ProposalState.Rejected, Assert.Single((await LatestAsync(reference, lead))!.Proposals, p => p.Id == proposal.Id).State);
        Assert.StartsWith("Proposed contact rejected: network-abuse@google.com",
            Assert.Single(await TimelineAsync(reference, lead), e => e.Type == TimelineEventType.ContactProposalDecided).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_AnotherResearchersCase_FailsAsNotFoundAndStoresNothing()
    {
        var (lead, reference) = await CaseOnLoopbackAsync("owner");
        var stranger = await _app.CreateResearcherAsync("discovery-stranger");
        await StartAndRunAsync(reference, lead);
        var proposal = (await LatestAsync(reference, lead))!.Proposals[0];
        var jobs = new RecordingJobClient();

        var started = await StartAsync(reference, stranger, jobs);
        var decided = await DecideAsync(reference, proposal.Id, accept: true, stranger);

        Assert.Equal(CommandResult.NotFound.Summary, started.Summary);
        Assert.Equal(CommandResult.NotFound.Summary, decided.Summary);
        Assert.Empty(jobs.Requests);
        Assert.Null(await LatestAsync(reference, stranger));
        Assert.Equal(1, await _app.ExecuteDbContextAsync(db => db.Set<DiscoveryRun>().CountAsync(r => db.Cases.Any(c => c.Id == r.CaseId && c.Reference == reference))));
        Assert.Equal(ProposalState.Proposed, (await LatestAsync(reference, lead))!.Proposals[0].State);
    }

    private async Task<(TestUser Lead, string Reference)> CaseOnLoopbackAsync(string label)
    {
        var lead = await _app.CreateResearcherAsync($"discovery-{label}");
        var reference = await _app.CreateCaseAsync(lead, form =>
        {
            form.Host = "127.0.0.1";
            form.Port = _server.Port;
        });
        return (lead, reference);
    }

    private Task<CommandResult> StartAsync(string reference, TestUser user, RecordingJobClient jobs, string? domains = "localhost") =>
        _app.ExecuteScopeAsync(services => ActivatorUtilities.CreateInstance<FindCaseContacts.Handler>(services, jobs)
            .StartAsync(reference, domains, user.Current));

    /// <summary>Starts a run, then runs the job it queued the way Hangfire would, with the loopback discovery services.</summary>
    private async Task<long> StartAndRunAsync(string reference, TestUser lead)
    {
        var runId = await StartRunAsync(reference, lead);
        await RunJobAsync(runId);
        return runId;
    }

    /// <summary>Starts a run and returns the id the queued job was given.</summary>
    private async Task<long> StartRunAsync(string reference, TestUser lead)
    {
        var jobs = new RecordingJobClient();
        var started = await StartAsync(reference, lead, jobs);
        Assert.True(started.Succeeded, started.Summary);
        var request = Assert.Single(jobs.Requests);
        Assert.Equal((typeof(FindOwnerContactsJob), nameof(FindOwnerContactsJob.RunAsync)), (request.Job.Type, request.Job.Method.Name));
        return (long)request.Job.Args[0];
    }

    private async Task RunJobAsync(long runId)
    {
        await using var harness = new DiscoveryHarness(_server);
        await _app.ExecuteScopeAsync(async services =>
        {
            await ActivatorUtilities.CreateInstance<FindOwnerContactsJob>(services, harness.Get<OwnerDiscovery>())
                .RunAsync(runId, TestContext.Current.CancellationToken);
            return 0;
        });
    }

    private Task<CommandResult> DecideAsync(string reference, long proposalId, bool accept, TestUser user) =>
        _app.ExecuteAsync<FindCaseContacts.Handler, CommandResult>(h => h.DecideAsync(reference, proposalId, accept, user.Current));

    private Task<FindCaseContacts.RunView?> LatestAsync(string reference, TestUser user) =>
        _app.ExecuteAsync<FindCaseContacts.Handler, FindCaseContacts.RunView?>(h => h.LatestAsync(reference, user.Current));

    private async Task<IReadOnlyList<TimelineEvent>> TimelineAsync(string reference, TestUser user) =>
        (await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), user.Current)))!.Events;
}
