using System.Text;
using System.Text.RegularExpressions;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses;
using DisclosureDesk.Features.Responses.Mail;
using DisclosureDesk.Features.Timeline;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace DisclosureDesk.IntegrationTests.Features.Responses;

/// <summary>
/// The mailbox job against a real Dovecot: replies, automatic replies and bounces in the shapes real servers send are
/// threaded into their case and classified; reading again adds nothing; a poisoned message cannot stop the batch.
/// </summary>
[Collection(typeof(InboundMailCollection))]
public sealed partial class InboundMailTests
{
    private readonly InboundMailFactory _app;

    public InboundMailTests(InboundMailFactory app)
    {
        app.RequireDatabase();
        _app = app;
    }

    private TestImapServer Imap => _app.Imap!;

    [Fact]
    public async Task RunAsync_ReplyAutoReplyAndBounces_AreThreadedIntoTheCaseAndClassified()
    {
        var (lead, reference, messageId) = await _app.NotifiedCaseAsync("threaded",
            "security@northwind.example", "old-ops@northwind.example", "gone@northwind.example", "it@northwind.example", "slow@northwind.example");
        await Imap.AppendAsync(
            Corpus("human-reply-quoted.eml", ("postfix-original.1@researcher.example", messageId), ("Mon, 16 Mar 2026 08:15:00 +0100", "Sat, 14 Mar 2026 10:15:00 +0100")),
            Corpus("vacation-rfc3834.eml", ("postfix-original.1@researcher.example", messageId)),
            Corpus("postfix-dsn-user-unknown.eml", ("postfix-original.1@researcher.example", messageId), ("security@owner.example", "old-ops@northwind.example")),
            Corpus("exim-failed.eml", ("exim-original.2@researcher.example", messageId), ("abuse@hoster.example", "gone@northwind.example")),
            Corpus("exchange-undeliverable.eml", ("exchange-original.3@researcher.example", messageId), ("it-security@owner.example", "it@northwind.example")),
            Corpus("postfix-dsn-delayed.eml", ("delayed-original.5@researcher.example", messageId), ("ops@slow.example", "slow@northwind.example")));

        var summary = await PollAsync();

        Assert.Equal(new PollInboundMailJob.Summary(6, 6, 0, 0, 0), summary);
        var caseId = await CaseIdAsync(reference);
        var responses = await _app.ExecuteDbContextAsync(db => db.VendorResponses.Where(r => r.CaseId == caseId).OrderBy(r => r.Id).ToListAsync());
        Assert.Equal([ResponseMeaning.Other, ResponseMeaning.AutomaticReply], responses.Select(r => r.Meaning));
        Assert.All(responses, r => Assert.Equal(ResponseChannel.Email, r.Channel));
        Assert.Equal("Jan Novak <jan.novak@owner.example>", responses[0].RespondedBy);
        Assert.Equal(new DateTime(2026, 3, 14, 9, 15, 0, DateTimeKind.Utc), responses[0].RespondedAt);
        Assert.StartsWith("Thank you, we have closed the port", responses[0].VerbatimText, StringComparison.Ordinal);

        // The person's reply stopped the chasing; the out-of-office did not add a response time of its own.
        var @case = await _app.ExecuteDbContextAsync(db => db.Cases.Include(c => c.Contacts).SingleAsync(c => c.Id == caseId));
        Assert.Equal(responses[0].RespondedAt, @case.FirstResponseAt);
        Assert.Null(@case.NoResponseAt);
        var followUps = await _app.ExecuteDbContextAsync(db => db.OutboxMessages.Where(m => m.CaseId == caseId && m.Purpose == OutboxPurpose.OwnerFollowUp).ToListAsync());
        Assert.NotEmpty(followUps);
        Assert.All(followUps, m => Assert.Equal(OutboxState.Cancelled, m.State));

        Assert.Null(Contact(@case, "security@northwind.example").Bouncing);
        Assert.Equal(BounceSeverity.Permanent, Contact(@case, "old-ops@northwind.example").Bouncing);
        Assert.Contains("5.1.1", Contact(@case, "old-ops@northwind.example").BounceDetail, StringComparison.Ordinal);
        Assert.Equal(BounceSeverity.Permanent, Contact(@case, "gone@northwind.example").Bouncing);
        Assert.Equal(BounceSeverity.Permanent, Contact(@case, "it@northwind.example").Bouncing);
        Assert.Equal(BounceSeverity.Temporary, Contact(@case, "slow@northwind.example").Bouncing);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, Contact(@case, "slow@northwind.example").BouncedAt);

        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        Assert.Equal(4, timeline!.Events.Count(e => e.Type == TimelineEventType.EmailBounced));
        Assert.Equal(6, timeline.Events.Count(e => e.Type == TimelineEventType.EvidenceAdded));
        var chain = await _app.ExecuteAsync<GetCase.Handler, GetCase.Details?>(h => h.HandleAsync(reference, lead.Current));
        Assert.True(chain!.Chain.IsValid, chain.Chain.Problem);

        // The original bytes are the case's evidence, encrypted for this case, with their hash.
        var inbound = await _app.ExecuteDbContextAsync(db => db.InboundMessages.Where(m => m.CaseId == caseId).OrderBy(m => m.Uid).ToListAsync());
        Assert.Equal([InboundKind.HumanReply, InboundKind.AutomaticReply, InboundKind.DeliveryFailure, InboundKind.DeliveryFailure, InboundKind.DeliveryFailure, InboundKind.DeliveryFailure],
            inbound.Select(m => m.Kind!.Value));
        Assert.All(inbound, m => Assert.Equal(InboundMatch.MessageId, m.MatchedBy));
        Assert.All(inbound, m => Assert.Null(m.Ciphertext));
        var download = await _app.ExecuteAsync<ManageEvidence.Handler, ManageEvidence.Download?>(h => h.DownloadAsync(reference, inbound[0].EvidenceFileId!.Value, lead.Current));
        Assert.Equal("message/rfc822", download!.ContentType);
        Assert.Equal(inbound[0].Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(download.Content)));
        Assert.Equal(inbound[0].MessageId, MimeMessage.Load(new MemoryStream(download.Content), TestContext.Current.CancellationToken).MessageId);
    }

    [Fact]
    public async Task RunAsync_PermanentBounceOfTheOnlyContact_CancelsTheFollowUpsAndRefusesTheAddress()
    {
        var (lead, reference, messageId) = await _app.NotifiedCaseAsync("dead", "only@dead.example");
        await Imap.AppendAsync(Corpus("gmail-dsn-failure.eml", ("gmail-original.4@researcher.example", messageId), ("nobody.here@gmail.example", "only@dead.example")));

        Assert.Equal(1, (await PollAsync()).Matched);

        var caseId = await CaseIdAsync(reference);
        var contact = await _app.ExecuteDbContextAsync(db => db.CaseContacts.SingleAsync(c => c.CaseId == caseId));
        Assert.Equal(BounceSeverity.Permanent, contact.Bouncing);
        var followUps = await _app.ExecuteDbContextAsync(db => db.OutboxMessages.Where(m => m.CaseId == caseId && m.Purpose == OutboxPurpose.OwnerFollowUp).ToListAsync());
        Assert.NotEmpty(followUps);
        Assert.All(followUps, m => Assert.Equal((OutboxState.Cancelled, "every recipient bounced permanently. Add another contact for the owner."), (m.State, m.LastError)));
        // A bounce is not an answer: the No-response clock keeps running.
        var @case = await _app.ExecuteDbContextAsync(db => db.Cases.SingleAsync(c => c.Id == caseId));
        Assert.Null(@case.FirstResponseAt);
        Assert.NotNull(@case.NoResponseAt);
        Assert.Equal(0, await _app.ExecuteDbContextAsync(db => db.VendorResponses.CountAsync(r => r.CaseId == caseId)));
        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        Assert.Contains(timeline!.Events, e => e.Type == TimelineEventType.EmailBounced && e.Text.Contains("only@dead.example bounced permanently", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_PolledAgainOrTheSameMessageCopiedIn_AddsNothing()
    {
        var (_, reference, messageId) = await _app.NotifiedCaseAsync("repoll", "security@repoll.example");
        var reply = Corpus("human-reply-quoted.eml", ("postfix-original.1@researcher.example", messageId));
        await Imap.AppendAsync(reply);
        Assert.Equal(1, (await PollAsync()).Matched);
        var caseId = await CaseIdAsync(reference);
        var before = await CountsAsync(caseId);

        Assert.Equal(0, (await PollAsync()).Read);
        await Imap.AppendAsync(reply);
        Assert.Equal(new PollInboundMailJob.Summary(1, 0, 0, 0, 1), await PollAsync());
        // A lost watermark (a restored database, a new UIDVALIDITY) means reading everything again: still nothing new.
        await _app.ExecuteDbContextAsync(db => db.InboundFolders.ExecuteDeleteAsync());
        var reread = await PollAsync();
        Assert.Equal(reread.Read, reread.Duplicates);

        Assert.Equal(before, await CountsAsync(caseId));
    }

    [Fact]
    public async Task RunAsync_PoisonedAndOversizeMessages_AreQuarantinedAndTheRestOfTheBatchLands()
    {
        var (_, reference, messageId) = await _app.NotifiedCaseAsync("poison", "security@poison.example");
        await Imap.AppendAsync(Corpus("vacation-rfc3834.eml", ("postfix-original.1@researcher.example", messageId)));
        await Imap.DeliverRawAsync(Encoding.Latin1.GetBytes("this is not an email at all\0\u0001 just bytes\n\n--boundary\n"));
        var huge = Corpus("human-reply-quoted.eml", ("postfix-original.1@researcher.example", messageId));
        huge.Body = new TextPart("plain") { Text = new string('x', InboundMailFactory.MaxMessageBytes + 1_000) };
        await Imap.AppendAsync(huge);
        await Imap.AppendAsync(Corpus("human-reply-quoted.eml", ("postfix-original.1@researcher.example", messageId)));

        var summary = await PollAsync();

        Assert.Equal(new PollInboundMailJob.Summary(4, 2, 0, 2, 0), summary);
        var caseId = await CaseIdAsync(reference);
        Assert.Equal(2, await _app.ExecuteDbContextAsync(db => db.VendorResponses.CountAsync(r => r.CaseId == caseId)));
        var quarantined = await _app.ExecuteDbContextAsync(db => db.InboundMessages.Where(m => m.State == InboundState.Quarantined).OrderByDescending(m => m.Id).Take(2).ToListAsync());
        Assert.Contains(quarantined, m => m.Error!.Contains("could not be parsed", StringComparison.Ordinal) && m.Ciphertext is not null);
        Assert.Contains(quarantined, m => m.Error!.Contains("Inbound:MaxMessageBytes", StringComparison.Ordinal) && m.Subject == huge.Subject);
        // The watermark moved past every message, stored or quarantined, so none of them is read again.
        var folder = await _app.ExecuteDbContextAsync(db => db.InboundFolders.SingleAsync());
        Assert.Equal(await _app.ExecuteDbContextAsync(db => db.InboundMessages.MaxAsync(m => m.Uid)), folder.LastUid);
        Assert.Equal(0, (await PollAsync()).Read);
    }

    [Fact]
    public async Task RunAsync_CaseReferenceInSubjectOnly_IsMatchedByReferenceAndUnknownMailAwaitsTriageEncrypted()
    {
        var (_, reference, _) = await _app.NotifiedCaseAsync("subject", "security@subject.example");
        var bySubject = new MimeMessage(new[] { new MailboxAddress("Owner", "someone@subject.example") }, new[] { new MailboxAddress("", "disclosures@researcher.example") },
            $"Question about {reference}", new TextPart("plain") { Text = "Which database do you mean?" });
        var unknown = new MimeMessage(new[] { new MailboxAddress("", "stranger@elsewhere.example") }, new[] { new MailboxAddress("", "disclosures@researcher.example") },
            "Hello there", new TextPart("plain") { Text = "Unrelated." });
        await Imap.AppendAsync(bySubject, unknown);

        var summary = await PollAsync();

        Assert.Equal(new PollInboundMailJob.Summary(2, 1, 1, 0, 0), summary);
        var caseId = await CaseIdAsync(reference);
        var matched = await _app.ExecuteDbContextAsync(db => db.InboundMessages.SingleAsync(m => m.MessageId == bySubject.MessageId));
        Assert.Equal((caseId, InboundMatch.SubjectReference, InboundState.Matched), (matched.CaseId!.Value, matched.MatchedBy!.Value, matched.State));
        var waiting = await _app.ExecuteDbContextAsync(db => db.InboundMessages.SingleAsync(m => m.MessageId == unknown.MessageId));
        Assert.Equal(InboundState.Unmatched, waiting.State);
        Assert.Null(waiting.CaseId);
        var raw = _app.Services.GetRequiredService<InboundProtector>().Unprotect(waiting.Ciphertext!);
        Assert.Equal(unknown.MessageId, MimeMessage.Load(new MemoryStream(raw), TestContext.Current.CancellationToken).MessageId);
        Assert.Equal(-1, waiting.Ciphertext.AsSpan().IndexOf("Unrelated."u8));
    }

    [Fact]
    public async Task Triage_UnmatchedReply_AssignedByATeamMemberOnlyBecomesTheCasesResponseAndDiscardNeedsAReason()
    {
        var (lead, reference, _) = await _app.NotifiedCaseAsync("triage", "security@triage.example");
        var stranger = await _app.CreateResearcherAsync("triage-stranger");
        var reply = new MimeMessage(new[] { new MailboxAddress("Ops", "ops@triage.example") }, new[] { new MailboxAddress("", "disclosures@researcher.example") },
            "About your email last week", new TextPart("plain") { Text = "We closed the port." });
        var spam = new MimeMessage(new[] { new MailboxAddress("", "offers@spam.example") }, new[] { new MailboxAddress("", "disclosures@researcher.example") },
            "Cheap watches", new TextPart("plain") { Text = "Buy now." });
        await Imap.AppendAsync(reply, spam);
        Assert.Equal(2, (await PollAsync()).Unmatched);
        var waiting = await _app.ExecuteAsync<TriageInboundMail.Handler, IReadOnlyList<TriageInboundMail.Row>>(h => h.ListAsync());
        var replyRow = Assert.Single(waiting, r => r.Subject == reply.Subject);
        var spamRow = Assert.Single(waiting, r => r.Subject == spam.Subject);
        Assert.True(replyRow.CanAssign);
        Assert.Equal("We closed the port.", await _app.ExecuteAsync<TriageInboundMail.Handler, string?>(h => h.ReadAsync(replyRow.Id)));
        var caseId = await CaseIdAsync(reference);

        var refused = await _app.ExecuteAsync<TriageInboundMail.Handler, CommandResult>(h => h.AssignAsync(replyRow.Id, reference, stranger.Current));
        Assert.Equal(CommandResult.NotFound.Summary, refused.Summary);
        Assert.Equal(0, await _app.ExecuteDbContextAsync(db => db.VendorResponses.CountAsync(r => r.CaseId == caseId)));

        var assigned = await _app.ExecuteAsync<TriageInboundMail.Handler, CommandResult>(h => h.AssignAsync(replyRow.Id, reference.ToLowerInvariant(), lead.Current));
        Assert.True(assigned.Succeeded, assigned.Summary);
        var again = await _app.ExecuteAsync<TriageInboundMail.Handler, CommandResult>(h => h.AssignAsync(replyRow.Id, reference, lead.Current));
        Assert.False(again.Succeeded);

        var response = await _app.ExecuteDbContextAsync(db => db.VendorResponses.SingleAsync(r => r.CaseId == caseId));
        Assert.Equal((ResponseMeaning.Other, "Ops <ops@triage.example>", "We closed the port."), (response.Meaning, response.RespondedBy, response.VerbatimText));
        Assert.All(await _app.ExecuteDbContextAsync(db => db.OutboxMessages.Where(m => m.CaseId == caseId && m.Purpose == OutboxPurpose.OwnerFollowUp).ToListAsync()),
            m => Assert.Equal(OutboxState.Cancelled, m.State));
        var row = await _app.ExecuteDbContextAsync(db => db.InboundMessages.SingleAsync(m => m.Id == replyRow.Id));
        Assert.Equal((InboundState.Assigned, InboundMatch.Manual, caseId, lead.Id), (row.State, row.MatchedBy!.Value, row.CaseId!.Value, row.TriagedById));
        Assert.Null(row.Ciphertext);
        Assert.NotNull(row.EvidenceFileId);
        var timeline = await _app.ExecuteAsync<GetCaseTimeline.Handler, GetCaseTimeline.Page?>(h => h.HandleAsync(new GetCaseTimeline.Query(reference), lead.Current));
        Assert.Contains(timeline!.Events, e => e.Type == TimelineEventType.InboundMailTriaged && e.ActorName == lead.DisplayName);

        var noReason = await _app.ExecuteAsync<TriageInboundMail.Handler, CommandResult>(h => h.DiscardAsync(spamRow.Id, new TriageInboundMail.DiscardForm { Reason = " " }, stranger.Current));
        Assert.False(noReason.Succeeded);
        var discarded = await _app.ExecuteAsync<TriageInboundMail.Handler, CommandResult>(h => h.DiscardAsync(spamRow.Id, new TriageInboundMail.DiscardForm { Reason = "Spam" }, stranger.Current));
        Assert.True(discarded.Succeeded, discarded.Summary);
        var spamStored = await _app.ExecuteDbContextAsync(db => db.InboundMessages.SingleAsync(m => m.Id == spamRow.Id));
        Assert.Equal((InboundState.Discarded, "Spam", stranger.Id), (spamStored.State, spamStored.DiscardReason, spamStored.TriagedById));
        Assert.NotNull(spamStored.Ciphertext);
        Assert.DoesNotContain(await _app.ExecuteAsync<TriageInboundMail.Handler, IReadOnlyList<TriageInboundMail.Row>>(h => h.ListAsync()),
            r => r.Id == replyRow.Id || r.Id == spamRow.Id);
    }

    [Fact]
    public void UseJobs_MailboxConfigured_RegistersThePollEveryFiveMinutes()
    {
        using var connection = _app.Services.GetRequiredService<Hangfire.JobStorage>().GetConnection();

        var job = Assert.Single(Hangfire.Storage.StorageConnectionExtensions.GetRecurringJobs(connection), j => j.Id == DisclosureDesk.Infrastructure.Jobs.RecurringJobs.InboundMail);
        Assert.Equal("*/5 * * * *", job.Cron);
        Assert.Equal(typeof(PollInboundMailJob), job.Job.Type);
    }

    private Task<PollInboundMailJob.Summary> PollAsync() =>
        _app.ExecuteAsync<PollInboundMailJob, PollInboundMailJob.Summary>(job => job.RunAsync(TestContext.Current.CancellationToken));

    private Task<int> CaseIdAsync(string reference) => _app.ExecuteDbContextAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());

    private Task<(int Responses, int Evidence, int Events, int Inbound)> CountsAsync(int caseId) => _app.ExecuteDbContextAsync(async db => (
        await db.VendorResponses.CountAsync(r => r.CaseId == caseId),
        await db.EvidenceFiles.CountAsync(e => e.CaseId == caseId),
        await db.TimelineEvents.CountAsync(e => e.CaseId == caseId),
        await db.InboundMessages.CountAsync()));

    private static CaseContact Contact(Case @case, string email) => @case.Contacts.Single(c => c.Email == email);

    /// <summary>
    /// A sample from the classifier's corpus, pointed at this test's case: its own Message-ID made unique (the dedupe is
    /// global), the original's Message-ID and the failed recipient replaced by the test's.
    /// </summary>
    private static MimeMessage Corpus(string file, params (string From, string To)[] replacements)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", file));
        foreach (var (from, to) in replacements)
        {
            text = text.Replace(from, to, StringComparison.OrdinalIgnoreCase);
        }
        text = OwnMessageId().Replace(text, $"Message-ID: <{Guid.NewGuid():N}@inbound.test>", 1);
        return MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text)));
    }

    [GeneratedRegex(@"^Message-I[dD]: <[^>]+>", RegexOptions.Multiline)]
    private static partial Regex OwnMessageId();
}
