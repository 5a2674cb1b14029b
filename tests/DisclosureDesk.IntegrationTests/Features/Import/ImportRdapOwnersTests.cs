using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Discovery;
using DisclosureDesk.Features.Escalation;
using DisclosureDesk.Features.Import;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.IntegrationTests.Features.Discovery;
using DisclosureDesk.IntegrationTests.Features.Notifications;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using CaseContactSource = DisclosureDesk.Features.Cases.ContactSource;

namespace DisclosureDesk.IntegrationTests.Features.Import;

/// <summary>
/// "One case per RDAP owner" against a loopback RDAP server serving canned answers: two networks of several
/// addresses each (one with a start and end address, one with cidr0 blocks only), an address RDAP does not know (404),
/// one whose server answers 429 before it answers, and a host name. The lookup job and the import job are run
/// directly, as Hangfire would run them, with the discovery services of <see cref="DiscoveryHarness"/>.
/// </summary>
public abstract class ImportRdapOwnersTests : IAsyncLifetime
{
    private const string RdapJson = "application/rdap+json";
    private static int _nextPort = 41_000;

    private readonly DisclosureDeskFactory _app;
    private LoopbackHttpsServer _server = null!;
    private RdapBootstrap _bootstrap = null!;

    private ImportRdapOwnersTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : ImportRdapOwnersTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : ImportRdapOwnersTests(app);

    public async ValueTask InitializeAsync()
    {
        _server = await LoopbackHttpsServer.StartAsync();
        _bootstrap = new RdapBootstrap(
            $$"""{"services": [[["198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24", "45.67.0.0/16"], ["{{_server.BaseUri}}rdap/"]]]}""",
            null,
            null);
        // Every address of a network answers, so only the cache can keep the later ones from being asked about.
        foreach (var address in new[] { "198.51.100.10", "198.51.100.11", "198.51.100.12" })
        {
            _server.Serve($"/rdap/ip/{address}", NetworkA, RdapJson);
        }
        foreach (var address in new[] { "203.0.113.5", "203.0.113.6", "203.0.113.7" })
        {
            _server.Serve($"/rdap/ip/{address}", NetworkB, RdapJson);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Import_PerRdapOwner_LooksUpOncePerNetworkGroupsByOwnerAndFilesOwnerAndAbuseContact()
    {
        var throttled = 0;
        _server.Map("/rdap/ip/45.67.89.10", async context =>
        {
            if (Interlocked.Increment(ref throttled) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "30";
                return;
            }
            context.Response.ContentType = RdapJson;
            await context.Response.WriteAsync(NetworkC);
        });
        var user = await _app.CreateResearcherAsync("rdap-owner");
        var (port, name) = (NextPort(), $"db-{Guid.NewGuid():N}.owner.example");
        var runId = await StageAsync(user,
            Finding("198.51.100.10", port), Finding("203.0.113.5", port), Finding("198.51.100.11", port), Finding("192.0.2.44", port),
            Finding("45.67.89.10", port), Finding("203.0.113.6", port), Finding("198.51.100.12", port), Finding(name, port),
            Finding("203.0.113.7", port), Finding("198.51.100.10", port + 1));

        var before = await PreviewAsync(runId, user);
        Assert.Equal((OwnerLookupState.NotStarted, 0), (before.Owners!.State, before.CaseCount));
        var refused = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StartAsync(runId, ImportGrouping.PerRdapOwner, false, user.Current));
        Assert.False(refused.Succeeded);
        Assert.Contains("Look up the network owners first", refused.Summary, StringComparison.Ordinal);

        await StartLookupAsync(runId, user);
        Assert.Empty(_server.Requests);
        var paused = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var lookup = RunLookupAsync(runId, job => job.Pausing = wait => paused.TrySetResult(wait));
        Assert.Equal(TimeSpan.FromSeconds(30), await paused.Task.WaitAsync(TestContext.Current.CancellationToken));
        // The server asked for 30 s: nothing asks it about that address again until they have passed.
        Assert.Equal(1, Volatile.Read(ref throttled));
        _app.Time.Advance(TimeSpan.FromSeconds(30));
        await lookup;

        Assert.Equal(2, throttled);
        // One request per network: the first address of each; the others were inside a range already found.
        Assert.Equal(
            ["/rdap/ip/192.0.2.44", "/rdap/ip/198.51.100.10", "/rdap/ip/203.0.113.5", "/rdap/ip/45.67.89.10", "/rdap/ip/45.67.89.10"],
            _server.Requests.Order(StringComparer.Ordinal));

        var preview = await PreviewAsync(runId, user);
        var owners = preview.Owners!;
        Assert.Equal((OwnerLookupState.Completed, 9, 9, 5), (owners.State, owners.Hosts, owners.HostsDone, owners.Lookups));
        Assert.Equal([4, 8], owners.Warnings.Select(w => w.Line));
        Assert.StartsWith("RDAP has no network for 192.0.2.44", owners.Warnings[0].Reason, StringComparison.Ordinal);
        Assert.Contains("is a host name", owners.Warnings[1].Reason, StringComparison.Ordinal);
        Assert.Equal(4, preview.CaseCount);
        Assert.Equal(
            [
                ("5 exposed services at Example Hosting GmbH", 5, "abuse@hosting.example, abuse-c@hosting.example"),
                ("3 exposed services at noc@b-networks.example", 3, "noc@b-networks.example"),
                ($"Exposed MongoDB at 192.0.2.44:{port}", 1, ""),
                ($"Exposed MongoDB at {name}:{port}", 1, ""),
            ],
            preview.Cases.Select(c => (c.Title, c.Findings, string.Join(", ", c.Contacts ?? []))));

        var started = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StartAsync(runId, ImportGrouping.PerRdapOwner, false, user.Current));
        Assert.True(started.Succeeded, started.Summary);
        await _app.ExecuteScopeAsync(async services =>
        {
            await services.GetRequiredService<ImportCasesJob>().RunAsync(runId, TestContext.Current.CancellationToken);
            return true;
        });

        var run = await _app.ExecuteDbContextAsync(db => db.Set<ImportRun>().AsNoTracking().SingleAsync(r => r.Id == runId));
        Assert.Equal((ImportRunState.Completed, 4, 10), (run.State, run.CasesCreated, run.RowsDone));
        var cases = await _app.ExecuteDbContextAsync(db =>
        {
            var ids = db.Set<ImportRow>().Where(r => r.RunId == runId && r.CaseId != null).Select(r => r.CaseId);
            return db.Cases.AsNoTracking().Include(c => c.Contacts).Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync();
        });
        Assert.Equal(4, cases.Count);
        Assert.Equal(("Example Hosting GmbH", "198.51.100.10"), (cases[0].OrganizationName, cases[0].Host));
        Assert.Equal(
            [("Example Hosting Abuse Desk", "abuse@hosting.example"), ("Example Hosting Abuse (C)", "abuse-c@hosting.example")],
            cases[0].Contacts.OrderBy(c => c.Id).Select(c => (c.Name, c.Email)));
        Assert.All(cases[0].Contacts, c => Assert.Equal((EscalationLadder.AbuseContactRole, CaseContactSource.RdapAbuse), (c.Role, c.Source)));
        Assert.Contains("45.67.89.10", cases[0].Summary, StringComparison.Ordinal);
        Assert.Null(cases[1].OrganizationName);
        Assert.Equal("noc@b-networks.example", Assert.Single(cases[1].Contacts).Email);
        Assert.All(cases.Skip(2), c => Assert.Equal(((string?)null, 0), (c.OrganizationName, c.Contacts.Count)));
        var events = await _app.ExecuteDbContextAsync(db => db.TimelineEvents.AsNoTracking().Where(e => e.CaseId == cases[0].Id).OrderBy(e => e.Sequence).ToListAsync());
        Assert.Equal([TimelineEventType.CaseCreated, TimelineEventType.ContactAdded, TimelineEventType.ContactAdded], events.Select(e => e.Type));
        Assert.Contains($"owner lookup of import {runId}", events[1].Text, StringComparison.Ordinal);
        var chain = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(cases[0].Reference, user.Current));
        Assert.True(chain!.Chain.IsValid, chain.Chain.Problem);
    }

    [Fact]
    public async Task RunAsync_RdapServerOnLoopbackWithoutTheTestException_IsRefusedByTheGuardAndEveryRowFallsBackToItsHost()
    {
        var user = await _app.CreateResearcherAsync("rdap-guarded");
        var port = NextPort();
        var runId = await StageAsync(user, Finding("198.51.100.10", port), Finding("203.0.113.5", port));

        await StartLookupAsync(runId, user);
        await RunLookupAsync(runId, allowLoopback: false);

        Assert.Empty(_server.Requests);
        var preview = await PreviewAsync(runId, user);
        Assert.Equal(OwnerLookupState.Completed, preview.Owners!.State);
        Assert.All(preview.Owners.Warnings, w => Assert.Contains("Refused", w.Reason, StringComparison.Ordinal));
        Assert.Equal([$"Exposed MongoDB at 198.51.100.10:{port}", $"Exposed MongoDB at 203.0.113.5:{port}"], preview.Cases.Select(c => c.Title));
    }

    [Fact]
    public async Task RunAsync_ServerAsksToWaitLongerThanTheLimit_IsNotAskedAgainAndItsFindingsFallBackToTheirHosts()
    {
        _server.Map("/rdap/ip/45.67.89.10", context =>
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "600";
            return Task.CompletedTask;
        });
        var user = await _app.CreateResearcherAsync("rdap-give-up");
        var port = NextPort();
        var runId = await StageAsync(user, Finding("198.51.100.10", port), Finding("45.67.89.10", port), Finding("203.0.113.5", port));

        await StartLookupAsync(runId, user);
        // One worker, so the throttled address (first in address order) is asked before the others.
        await RunLookupAsync(runId, settings: new ImportOptions { RdapConcurrency = 1, RdapMaxRetryAfterSeconds = 120 });

        Assert.Equal(["/rdap/ip/45.67.89.10"], _server.Requests);
        var preview = await PreviewAsync(runId, user);
        Assert.Equal((OwnerLookupState.Completed, 1), (preview.Owners!.State, preview.Owners.Lookups));
        Assert.Equal([1, 2, 3], preview.Owners.Warnings.Select(w => w.Line));
        Assert.All(preview.Owners.Warnings, w => Assert.Contains("asked to wait 600 s", w.Reason, StringComparison.Ordinal));
        Assert.Equal(3, preview.CaseCount);
    }

    [Fact]
    public async Task CancelAsync_QueuedLookup_StopsItAndStartingAgainGoesOnToCompletion()
    {
        var user = await _app.CreateResearcherAsync("rdap-cancel");
        var port = NextPort();
        var runId = await StageAsync(user, Finding("198.51.100.10", port), Finding("198.51.100.11", port));
        await StartLookupAsync(runId, user);

        var cancelled = await _app.ExecuteAsync<LookUpImportOwners.Handler, CommandResult>(h => h.CancelAsync(runId, user.Current));
        await RunLookupAsync(runId);

        Assert.True(cancelled.Succeeded, cancelled.Summary);
        Assert.Empty(_server.Requests);
        Assert.Equal(OwnerLookupState.Cancelled, (await PreviewAsync(runId, user)).Owners!.State);

        await StartLookupAsync(runId, user);
        await RunLookupAsync(runId);

        var preview = await PreviewAsync(runId, user);
        Assert.Equal((OwnerLookupState.Completed, 1), (preview.Owners!.State, preview.Owners.Lookups));
        Assert.Equal(("2 exposed services at Example Hosting GmbH", 2), (preview.Cases.Single().Title, preview.Cases.Single().Findings));
    }

    private static int NextPort() => Interlocked.Add(ref _nextPort, 2);

    private static string Finding(string host, int port) => $$"""{"ip_str":"{{host}}","port":{{port}},"product":"MongoDB"}""";

    private async Task<long> StageAsync(TestUser user, params string[] lines)
    {
        var uploaded = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult<long>>(h =>
            h.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines))), "owners.jsonl", user.Current));
        Assert.True(uploaded.Result.Succeeded, uploaded.Result.Summary);
        var staged = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h =>
            h.StageAsync(uploaded.Value, ImportFormat.SearchEngineJson, null, user.Current));
        Assert.True(staged.Succeeded, staged.Summary);
        return uploaded.Value;
    }

    private async Task<ImportScanResults.Preview> PreviewAsync(long runId, TestUser user) =>
        (await _app.ExecuteAsync<ImportScanResults.Handler, ImportScanResults.Preview?>(h => h.PreviewAsync(runId, ImportGrouping.PerRdapOwner, user.Current)))!;

    /// <summary>Starts the lookup from the preview, as the page does, and checks it queued the lookup job for the run.</summary>
    private async Task StartLookupAsync(long runId, TestUser user)
    {
        var jobs = new RecordingJobClient();
        var started = await _app.ExecuteScopeAsync(services =>
            ActivatorUtilities.CreateInstance<LookUpImportOwners.Handler>(services, jobs).StartAsync(runId, user.Current));
        Assert.True(started.Succeeded, started.Summary);
        var request = Assert.Single(jobs.Requests);
        Assert.Equal((typeof(ResolveImportOwnersJob), runId), (request.Job.Type, (long)request.Job.Args[0]));
    }

    /// <summary>Runs the lookup job with the discovery services pointed at the loopback server (through the guard).</summary>
    private async Task RunLookupAsync(long runId, Action<ResolveImportOwnersJob>? arrange = null, bool allowLoopback = true, ImportOptions? settings = null)
    {
        await using var harness = new DiscoveryHarness(_server, bootstrap: _bootstrap, allowLoopback: allowLoopback);
        await using var scope = _app.Services.CreateAsyncScope();
        var job = ActivatorUtilities.CreateInstance<ResolveImportOwnersJob>(scope.ServiceProvider,
            harness.Get<RdapLookup>(), harness.Get<RdapBootstrap>(), harness.Get<AddressGuard>(), harness.Get<IOptions<DiscoveryOptions>>(),
            settings is null ? scope.ServiceProvider.GetRequiredService<IOptions<ImportOptions>>() : Options.Create(settings));
        arrange?.Invoke(job);
        await job.RunAsync(runId, TestContext.Current.CancellationToken);
    }

    private const string NetworkA = """
        {
          "objectClassName": "ip network", "handle": "NET-EXAMPLE-A", "name": "EXAMPLE-HOSTING-A",
          "startAddress": "198.51.100.0", "endAddress": "198.51.100.255", "ipVersion": "v4",
          "entities": [
            { "objectClassName": "entity", "handle": "ORG-EH1", "roles": ["registrant"],
              "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Hosting GmbH"], ["kind", {}, "text", "org"]]] },
            { "objectClassName": "entity", "handle": "EHA1", "roles": ["abuse"],
              "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Hosting Abuse Desk"], ["email", {}, "text", "abuse@hosting.example"]]] }
          ]
        }
        """;

    // No start and end address, no registrant: the range comes from cidr0, the owner from the abuse address.
    private const string NetworkB = """
        {
          "objectClassName": "ip network", "handle": "NET-B", "name": "B-NETWORKS",
          "cidr0_cidrs": [{ "v4prefix": "203.0.113.0", "length": 24 }],
          "entities": [
            { "objectClassName": "entity", "handle": "BNOC", "roles": ["abuse"],
              "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "B Networks NOC"], ["email", {}, "text", "noc@b-networks.example"]]] }
          ]
        }
        """;

    // Another network of the same organisation, spelt in capitals: its findings join network A's case.
    private const string NetworkC = """
        {
          "objectClassName": "ip network", "handle": "NET-EXAMPLE-C", "name": "EXAMPLE-HOSTING-C",
          "startAddress": "45.67.89.0", "endAddress": "45.67.89.255",
          "entities": [
            { "objectClassName": "entity", "handle": "ORG-EH1", "roles": ["registrant"],
              "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "EXAMPLE HOSTING GMBH"]]] },
            { "objectClassName": "entity", "handle": "EHA2", "roles": ["abuse"],
              "vcardArray": ["vcard", [["version", {}, "text", "4.0"], ["fn", {}, "text", "Example Hosting Abuse (C)"], ["email", {}, "text", "abuse-c@hosting.example"]]] }
          ]
        }
        """;
}
