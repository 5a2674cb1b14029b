using System.Text;
using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Import;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses.Mail;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using DisclosureDesk.IntegrationTests.Features.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DisclosureDesk.IntegrationTests.Features.Campaigns;

/// <summary>
/// A campaign end to end on a real database and a real SMTP server: created from a scan import, sent through the
/// outbox, and moved recipient by recipient by a refusal, a bounce, a reply, the No-response job and the researcher.
/// Delivery runs take every due row of the shared database, so each test first cancels what other tests left due.
/// </summary>
public abstract class CampaignTests : IAsyncLifetime
{
    private readonly DisclosureDeskFactory _app;
    private readonly TestSmtpServer _smtp = TestSmtpServer.Start();
    private readonly OutboxDeliveryGate _gate = new();
    private readonly SmtpMailTransport _transport;

    private CampaignTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
        _transport = OutboxTestKit.SmtpTransport(_smtp.Port, _app.Time);
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : CampaignTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : CampaignTests(app);

    public async ValueTask InitializeAsync() => await OutboxTestKit.CancelPendingAsync(_app);

    public async ValueTask DisposeAsync()
    {
        _transport.Dispose();
        _gate.Dispose();
        await _smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Campaign_FromImportThroughSendRefusalBounceReplyAndSilence_MovesOnlyEachRecipientAndCancelsOnlyTheirFollowUps()
    {
        var lead = await _app.CreateResearcherAsync("campaigner");
        var stranger = await _app.CreateResearcherAsync("campaign-stranger");
        var p = Guid.NewGuid().ToString("N")[..8];
        var reference = await ImportCampaignAsync(lead, p);

        var created = await SummaryAsync(reference, lead);
        Assert.True(created.IsCampaign);
        Assert.Equal((4, 1, 5), (created.Count(CampaignRecipientState.Pending), created.Count(CampaignRecipientState.NoAddress), created.Total));
        var recipients = await RecipientsAsync(reference);
        var (alpha, beta, gamma, delta) = (recipients[$"sec@alpha-{p}.example"], recipients[$"abuse@beta-{p}.example"], recipients[$"soc@gamma-{p}.example"], recipients[$"noc@delta-{p}.example"]);
        Assert.Equal(2, alpha.FindingCount);

        var sent = await SendAsync(reference, lead);
        Assert.Equal(4, sent.Value!.Queued);
        var again = await SendAsync(reference, lead);
        Assert.False(again.Result.Succeeded);
        var caseId = created.CaseId;
        var rows = await OutboxOfAsync(caseId);
        Assert.Equal(4, rows.Count(m => m.Purpose == OutboxPurpose.CampaignNotification));
        Assert.Equal(12, rows.Count(m => m.Purpose == OutboxPurpose.CampaignFollowUp));
        Assert.Equal($"campaign:{alpha.Id}:notify", rows.Single(m => m.Purpose == OutboxPurpose.CampaignNotification && m.CampaignRecipientId == alpha.Id).DedupKey);
        var alphaEmail = rows.Single(m => m.Purpose == OutboxPurpose.CampaignNotification && m.CampaignRecipientId == alpha.Id);
        var body = Encoding.UTF8.GetString(alphaEmail.Content);
        Assert.Contains($"h1-{p}.campaign.example:27017", body, StringComparison.Ordinal);
        Assert.Contains($"h2-{p}.campaign.example:27017", body, StringComparison.Ordinal);
        Assert.DoesNotContain($"h3-{p}", body, StringComparison.Ordinal);

        // Alpha's is the first due row: the server refuses it for good; the other three are accepted.
        _smtp.Then(SmtpBehaviour.Reject);
        await DeliverAsync();
        Assert.Equal(3, _smtp.Received.Count);
        var notifications = rows.Where(m => m.Purpose == OutboxPurpose.CampaignNotification).ToDictionary(m => m.CampaignRecipientId!.Value, m => m.MessageId);
        await IngestAsync(1, Corpus("postfix-dsn-user-unknown.eml", ("postfix-original.1@researcher.example", notifications[gamma.Id]), ("security@owner.example", gamma.Email!)));
        await IngestAsync(2, Corpus("human-reply-quoted.eml", ("postfix-original.1@researcher.example", notifications[beta.Id])));

        recipients = await RecipientsAsync(reference);
        Assert.Equal(CampaignRecipientState.Bounced, recipients[alpha.Key].State);
        Assert.StartsWith("550", recipients[alpha.Key].StateDetail, StringComparison.Ordinal);
        Assert.Equal(CampaignRecipientState.Replied, recipients[beta.Key].State);
        Assert.Equal(CampaignRecipientState.Bounced, recipients[gamma.Key].State);
        Assert.Equal(CampaignRecipientState.Sent, recipients[delta.Key].State);
        var followUps = (await OutboxOfAsync(caseId)).Where(m => m.Purpose == OutboxPurpose.CampaignFollowUp).ToLookup(m => m.CampaignRecipientId!.Value);
        Assert.All(new[] { alpha.Id, beta.Id, gamma.Id }.SelectMany(id => followUps[id]), m => Assert.Equal(OutboxState.Cancelled, m.State));
        Assert.All(followUps[delta.Id], m => Assert.Equal(OutboxState.Scheduled, m.State));

        // Delta stays silent past the No-response date: only delta moves.
        await _app.ExecuteDbContextAsync(db => db.CampaignRecipients.Where(r => r.Id == delta.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.NoResponseAt, _app.Time.GetUtcNow().UtcDateTime.AddMinutes(-1)), TestContext.Current.CancellationToken));
        await _app.ExecuteScopeAsync(async services =>
        {
            await services.GetRequiredService<MarkUnansweredRecipientsJob>().RunAsync(TestContext.Current.CancellationToken);
            return true;
        });
        recipients = await RecipientsAsync(reference);
        Assert.Equal(CampaignRecipientState.NoResponse, recipients[delta.Key].State);
        Assert.Equal(CampaignRecipientState.Replied, recipients[beta.Key].State);

        // Alpha gets a corrected address: a second round with its own keys, delivered once.
        var corrected = await _app.ExecuteAsync<ManageCampaign.Handler, CommandResult>(h => h.CorrectAddressAsync(reference, alpha.Id, $"security@alpha-{p}.example", lead.Current));
        Assert.True(corrected.Succeeded, corrected.Summary);
        await DeliverAsync();
        recipients = await RecipientsAsync(reference);
        Assert.Equal(CampaignRecipientState.Sent, recipients[$"security@alpha-{p}.example"].State);
        var alphaRows = (await OutboxOfAsync(caseId)).Where(m => m.CampaignRecipientId == alpha.Id && m.Purpose == OutboxPurpose.CampaignNotification).ToList();
        Assert.Equal([$"campaign:{alpha.Id}:notify", $"campaign:{alpha.Id}:notify:2"], alphaRows.Select(m => m.DedupKey).Order(StringComparer.Ordinal));

        var mitigated = await _app.ExecuteAsync<ManageCampaign.Handler, CommandResult>(h => h.MarkMitigatedAsync(reference, beta.Id, lead.Current));
        Assert.True(mitigated.Succeeded, mitigated.Summary);
        Assert.Equal(CampaignRecipientState.Mitigated, (await RecipientsAsync(reference))[beta.Key].State);

        // Every Message-ID reached the server at most once, and the audit chain holds every result.
        var received = _smtp.Received.Select(b => MimeMessage.Load(new MemoryStream(b)).MessageId).ToList();
        Assert.Equal(received.Count, received.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(4, received.Count);
        var details = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.True(details!.Chain.IsValid, details.Chain.Problem);
        var events = await _app.ExecuteDbContextAsync(db => db.TimelineEvents.Where(e => e.CaseId == caseId).ToListAsync());
        Assert.Equal(4, events.Count(e => e.Type == TimelineEventType.EmailSent));
        Assert.Equal(1, events.Count(e => e.Type == TimelineEventType.EmailFailed));

        // Someone off the team learns nothing and changes nothing.
        Assert.Null(await _app.ExecuteAsync<ManageCampaign.Handler, ManageCampaign.Summary?>(h => h.SummaryAsync(reference, stranger.Current)));
        Assert.Null(await _app.ExecuteAsync<ManageCampaign.Handler, ManageCampaign.Page?>(h => h.PageAsync(reference, new ManageCampaign.Query(), stranger.Current)));
        var refused = await _app.ExecuteAsync<ManageCampaign.Handler, CommandResult>(h => h.MarkMitigatedAsync(reference, delta.Id, stranger.Current));
        Assert.Equal(CommandResult.NotFound.Summary, refused.Summary);
        Assert.Equal(CampaignRecipientState.NoResponse, (await RecipientsAsync(reference))[delta.Key].State);
    }

    [Fact]
    public async Task AddList_BadLineThenGoodListTwice_ChangesNothingThenAddsOnceAndPagesByState()
    {
        var lead = await _app.CreateResearcherAsync("list-campaigner");
        var reference = await _app.CreateCaseAsync(lead);
        var p = Guid.NewGuid().ToString("N")[..8];

        var bad = await AddListAsync(reference, lead, $"a@{p}.example, 192.0.2.1, 27017\nnot-an-address, 192.0.2.2, 27017");
        Assert.False(bad.Result.Succeeded);
        Assert.Contains("Line 2", bad.Result.Summary, StringComparison.Ordinal);
        Assert.False((await SummaryAsync(reference, lead)).IsCampaign);
        Assert.False((await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current)))!.IsCampaign);

        var lines = string.Join('\n', Enumerable.Range(0, 120).Select(i => $"r{i}@{p}.example, 192.0.2.{i % 250}, {27017 + i}"));
        var first = await AddListAsync(reference, lead, "email,host,port\n" + lines + $"\n, 192.0.2.250, 9200");
        var second = await AddListAsync(reference, lead, lines);

        Assert.Equal((121, 0), (first.Value!.Added, first.Value.Updated));
        Assert.True((await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current)))!.IsCampaign);
        Assert.Equal((0, 0), (second.Value!.Added, second.Value.Updated));
        var summary = await SummaryAsync(reference, lead);
        Assert.Equal((120, 1), (summary.Count(CampaignRecipientState.Pending), summary.Count(CampaignRecipientState.NoAddress)));
        var ids = new List<long>();
        long? after = null;
        do
        {
            var page = await _app.ExecuteAsync<ManageCampaign.Handler, ManageCampaign.Page?>(h =>
                h.PageAsync(reference, new ManageCampaign.Query(CampaignRecipientState.Pending, After: after, PageSize: 50), lead.Current));
            ids.AddRange(page!.Rows.Select(r => r.Id));
            after = page.NextAfter;
        }
        while (after is not null);
        Assert.Equal(120, ids.Distinct().Count());
        Assert.Equal(ids.Order(), ids);
        var found = await _app.ExecuteAsync<ManageCampaign.Handler, ManageCampaign.Page?>(h =>
            h.PageAsync(reference, new ManageCampaign.Query(Search: "R7"), lead.Current));
        Assert.Equal([$"r7@{p}.example", $"r70@{p}.example", $"r71@{p}.example", $"r72@{p}.example", $"r73@{p}.example", $"r74@{p}.example",
            $"r75@{p}.example", $"r76@{p}.example", $"r77@{p}.example", $"r78@{p}.example", $"r79@{p}.example"], found!.Rows.Select(r => r.Email));
    }

    [Fact]
    public async Task Triage_UnthreadedReplyPutOnTheCampaignByHand_MovesOnlyTheSendersRecipientAndCancelsOnlyTheirFollowUps()
    {
        var lead = await _app.CreateResearcherAsync("triage-campaigner");
        var reference = await _app.CreateCaseAsync(lead);
        var p = Guid.NewGuid().ToString("N")[..8];
        Assert.True((await AddListAsync(reference, lead, $"a@{p}.example, 192.0.2.1, 27017\nb@{p}.example, 192.0.2.2, 27017")).Result.Succeeded);
        Assert.True((await SendAsync(reference, lead)).Result.Succeeded);
        await DeliverAsync();
        // Written as a new message, not a reply: no In-Reply-To, no case reference, so the mailbox job cannot place it.
        var fromB = new MimeMessage([new MailboxAddress("Ops", $"B@{p}.example")], [new MailboxAddress("", "disclosures@researcher.example")],
            "Your email about our database", new TextPart("plain") { Text = "Fixed, thanks." });
        var fromStranger = new MimeMessage([new MailboxAddress("", $"someone@else-{p}.example")], [new MailboxAddress("", "disclosures@researcher.example")],
            "Re: database", new TextPart("plain") { Text = "Not ours." });
        var triage = new List<long>();
        foreach (var (message, uid) in new[] { (fromB, 1L), (fromStranger, 2L) })
        {
            using var raw = new MemoryStream();
            await message.WriteToAsync(raw, TestContext.Current.CancellationToken);
            Assert.Equal(IngestInboundMail.Result.Unmatched, await _app.ExecuteAsync<IngestInboundMail.Handler, IngestInboundMail.Result>(h =>
                h.IngestAsync(new IngestInboundMail.Source($"campaign-triage-{p}", 1, uid), raw.ToArray(), TestContext.Current.CancellationToken)));
            triage.Add(await _app.ExecuteDbContextAsync(db => db.InboundMessages.Where(m => m.MessageId == message.MessageId).Select(m => m.Id).SingleAsync()));
        }

        foreach (var id in triage)
        {
            var assigned = await _app.ExecuteAsync<TriageInboundMail.Handler, CommandResult>(h => h.AssignAsync(id, reference, lead.Current));
            Assert.True(assigned.Succeeded, assigned.Summary);
        }

        var recipients = await RecipientsAsync(reference);
        var (a, b) = (recipients[$"a@{p}.example"], recipients[$"b@{p}.example"]);
        Assert.Equal((CampaignRecipientState.Sent, CampaignRecipientState.Replied), (a.State, b.State));
        var followUps = (await OutboxOfAsync(a.CaseId)).Where(m => m.Purpose == OutboxPurpose.CampaignFollowUp).ToLookup(m => m.CampaignRecipientId!.Value);
        Assert.All(followUps[b.Id], m => Assert.Equal(OutboxState.Cancelled, m.State));
        Assert.All(followUps[a.Id], m => Assert.Equal(OutboxState.Scheduled, m.State));
        var changes = await _app.ExecuteDbContextAsync(db => db.TimelineEvents.Where(e => e.CaseId == a.CaseId && e.Type == TimelineEventType.CampaignChanged)
            .Select(e => e.Text).ToListAsync());
        var replied = Assert.Single(changes, change => change.Contains("→ Replied", StringComparison.Ordinal));
        Assert.StartsWith($"Campaign recipient b@{p}.example: Sent → Replied", replied, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rescan_FileWithoutSomeHosts_FlagsOnlyThoseRecipientsPossiblyMitigatedAndAReappearingHostClearsIt()
    {
        var lead = await _app.CreateResearcherAsync("rescanner");
        var stranger = await _app.CreateResearcherAsync("rescan-stranger");
        var reference = await _app.CreateCaseAsync(lead);
        var p = Guid.NewGuid().ToString("N")[..8];
        var added = await AddListAsync(reference, lead, $"a@{p}.example, a-{p}.rescan.example, 27017\nb@{p}.example, b-{p}.rescan.example, 27017\n" +
                                                        $"b@{p}.example, b2-{p}.rescan.example, 9200\nc@{p}.example, c-{p}.rescan.example, 6379");
        Assert.True(added.Result.Succeeded, added.Result.Summary);

        var refused = await RescanAsync(stranger, reference, $"ip,port\na-{p}.rescan.example,27017\n");
        Assert.False(refused.Succeeded);
        await RescanAsync(lead, reference, $"ip,port\na-{p}.rescan.example,27017\nc-{p}.rescan.example,6379\n");

        var flagged = await RecipientsAsync(reference);
        Assert.Equal([false, true, false], new[] { "a", "b", "c" }.Select(x => flagged[$"{x}@{p}.example"].PossiblyMitigated));
        Assert.All(flagged.Values, r => Assert.Equal(CampaignRecipientState.Pending, r.State));

        await RescanAsync(lead, reference, $"ip,port\na-{p}.rescan.example,27017\nb2-{p}.rescan.example,9200\n");

        flagged = await RecipientsAsync(reference);
        Assert.Equal([false, false, true], new[] { "a", "b", "c" }.Select(x => flagged[$"{x}@{p}.example"].PossiblyMitigated));
        var page = await _app.ExecuteAsync<ManageCampaign.Handler, ManageCampaign.Page?>(h =>
            h.PageAsync(reference, new ManageCampaign.Query(PossiblyMitigatedOnly: true), lead.Current));
        Assert.Equal([$"c@{p}.example"], page!.Rows.Select(r => r.Email));
    }

    [Fact]
    public async Task Preview_HostsOfACampaignFiledByImport_AreInItsCaseForAnImportButNotSkippedByARescan()
    {
        var lead = await _app.CreateResearcherAsync("campaign-again");
        var p = Guid.NewGuid().ToString("N")[..8];
        var reference = await ImportCampaignAsync(lead, p);
        var rescan = $"ip,port\nh2-{p}.campaign.example,27017\nh5-{p}.campaign.example,27017\nnew-{p}.campaign.example,27017\n";
        var rescanRun = await StageCsvAsync(lead, "rescan.csv", rescan, new() { [CsvField.Host] = 0, [CsvField.Port] = 1 });

        var asImport = await _app.ExecuteAsync<ImportScanResults.Handler, ImportScanResults.Preview?>(h => h.PreviewAsync(rescanRun, ImportGrouping.PerHost, lead.Current));
        var asRescan = await _app.ExecuteAsync<ImportScanResults.Handler, ImportScanResults.Preview?>(h => h.PreviewAsync(rescanRun, ImportGrouping.Rescan, lead.Current));

        Assert.Equal([(2, reference), (3, reference)], asImport!.Existing.Select(d => (d.Line, d.Reference)));
        Assert.Equal(1, asImport.CaseCount);
        Assert.Empty(asRescan!.Existing);
    }

    private async Task<CommandResult> RescanAsync(TestUser user, string reference, string csv)
    {
        var runId = await StageCsvAsync(user, "rescan.csv", csv, new() { [CsvField.Host] = 0, [CsvField.Port] = 1 });
        var started = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StartRescanAsync(runId, reference, false, user.Current));
        if (started.Succeeded)
        {
            await _app.ExecuteScopeAsync(async services =>
            {
                await services.GetRequiredService<ImportCasesJob>().RunAsync(runId, TestContext.Current.CancellationToken);
                return true;
            });
            var run = await _app.ExecuteDbContextAsync(db => db.Set<ImportRun>().AsNoTracking().SingleAsync(r => r.Id == runId));
            Assert.Equal((ImportRunState.Completed, 0), (run.State, run.CasesCreated));
        }
        return started;
    }

    /// <summary>Uploads <paramref name="csv"/> and stages it with <paramref name="mapping"/>; returns the run.</summary>
    private async Task<long> StageCsvAsync(TestUser user, string name, string csv, Dictionary<CsvField, int> mapping)
    {
        var upload = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult<long>>(h =>
            h.UploadAsync(new MemoryStream(Encoding.UTF8.GetBytes(csv)), name, user.Current));
        Assert.True(upload.Result.Succeeded, upload.Result.Summary);
        var staged = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StageAsync(upload.Value, ImportFormat.Csv, mapping, user.Current));
        Assert.True(staged.Succeeded, staged.Summary);
        return upload.Value;
    }

    /// <summary>
    /// Imports six findings of five owners as one campaign (two share an address, written in two cases; one has none)
    /// and returns the campaign's case reference. <paramref name="p"/> keeps the hosts and addresses apart between tests.
    /// </summary>
    private async Task<string> ImportCampaignAsync(TestUser user, string p)
    {
        var csv = $"""
            ip,port,org,abuse_email
            h1-{p}.campaign.example,27017,Alpha,sec@alpha-{p}.example
            h2-{p}.campaign.example,27017,Alpha,SEC@alpha-{p}.example
            h3-{p}.campaign.example,27017,Beta,abuse@beta-{p}.example
            h4-{p}.campaign.example,27017,Gamma,soc@gamma-{p}.example
            h5-{p}.campaign.example,27017,Delta,noc@delta-{p}.example
            h6-{p}.campaign.example,27017,Nobody,
            """;
        var runId = await StageCsvAsync(user, "campaign.csv", csv,
            new() { [CsvField.Host] = 0, [CsvField.Port] = 1, [CsvField.Organization] = 2, [CsvField.ContactEmail] = 3 });
        var preview = await _app.ExecuteAsync<ImportScanResults.Handler, ImportScanResults.Preview?>(h => h.PreviewAsync(runId, ImportGrouping.Campaign, user.Current));
        Assert.Equal(1, preview!.CaseCount);
        Assert.Contains("4 recipient(s), 1 finding(s) without a contact", preview.Cases[0].Title, StringComparison.Ordinal);
        var started = await _app.ExecuteAsync<ImportScanResults.Handler, CommandResult>(h => h.StartAsync(runId, ImportGrouping.Campaign, false, user.Current));
        Assert.True(started.Succeeded, started.Summary);
        await _app.ExecuteScopeAsync(async services =>
        {
            await services.GetRequiredService<ImportCasesJob>().RunAsync(runId, TestContext.Current.CancellationToken);
            return true;
        });
        var run = await _app.ExecuteDbContextAsync(db => db.Set<ImportRun>().AsNoTracking().SingleAsync(r => r.Id == runId));
        Assert.Equal((ImportRunState.Completed, 1, 6), (run.State, run.CasesCreated, run.RowsDone));
        return await _app.ExecuteDbContextAsync(db => db.Set<ImportRow>().Where(r => r.RunId == runId)
            .Join(db.Cases, r => r.CaseId, c => c.Id, (r, c) => c.Reference).Distinct().SingleAsync());
    }

    private async Task<ManageCampaign.Summary> SummaryAsync(string reference, TestUser user) =>
        (await _app.ExecuteAsync<ManageCampaign.Handler, ManageCampaign.Summary?>(h => h.SummaryAsync(reference, user.Current)))!;

    private Task<CommandResult<ManageCampaign.SendOutcome>> SendAsync(string reference, TestUser user) =>
        _app.ExecuteAsync<ManageCampaign.Handler, CommandResult<ManageCampaign.SendOutcome>>(h => h.SendAsync(reference, null, null, user.Current));

    private Task<CommandResult<CampaignRecipientList.Merged>> AddListAsync(string reference, TestUser user, string text) =>
        _app.ExecuteAsync<ManageCampaign.Handler, CommandResult<CampaignRecipientList.Merged>>(h => h.AddListAsync(reference, text, user.Current));

    private Task<Dictionary<string, CampaignRecipient>> RecipientsAsync(string reference) => _app.ExecuteDbContextAsync(db =>
        db.CampaignRecipients.AsNoTracking().Where(r => db.Cases.Any(c => c.Id == r.CaseId && c.Reference == reference)).ToDictionaryAsync(r => r.Key));

    private Task<List<OutboxMessage>> OutboxOfAsync(int caseId) =>
        _app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().Where(m => m.CaseId == caseId).OrderBy(m => m.Id).ToListAsync());

    private Task DeliverAsync() => new DeliverOutboxJob(
        _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>(), _transport, _gate, OutboxTestKit.Unpaced, new RecordingJobClient(), _app.Time,
        NullLogger<DeliverOutboxJob>.Instance).RunAsync(TestContext.Current.CancellationToken);

    private Task IngestAsync(long uid, byte[] raw) => _app.ExecuteScopeAsync(async services =>
    {
        var result = await services.GetRequiredService<IngestInboundMail.Handler>()
            .IngestAsync(new IngestInboundMail.Source("campaign-tests", 1, uid), raw, TestContext.Current.CancellationToken);
        Assert.Equal(IngestInboundMail.Result.Matched, result);
        return true;
    });

    private static byte[] Corpus(string file, params (string From, string To)[] replacements)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", file));
        foreach (var (from, to) in replacements)
        {
            text = text.Replace(from, to, StringComparison.OrdinalIgnoreCase);
        }
        // A fresh Message-ID of its own, so the shared database does not take it for a copy of another test's message.
        text = System.Text.RegularExpressions.Regex.Replace(text, @"^Message-I[dD]: <(?!" + System.Text.RegularExpressions.Regex.Escape(replacements[0].To) + @")[^>]+>",
            $"Message-ID: <{Guid.NewGuid():N}@inbound.test>", System.Text.RegularExpressions.RegexOptions.Multiline);
        return Encoding.UTF8.GetBytes(text);
    }
}
