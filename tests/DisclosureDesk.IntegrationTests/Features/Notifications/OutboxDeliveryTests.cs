using System.Security.Cryptography;
using System.Text;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>
/// Outbox rows delivered by <see cref="DeliverOutboxMessageJob"/> to a real SMTP server on loopback, with the
/// faults mail servers produce. The job is called directly with the fixture's clock; Hangfire's part has its own test.
/// </summary>
public abstract class OutboxDeliveryTests : IAsyncDisposable
{
    private readonly DisclosureDeskFactory _app;
    private readonly TestSmtpServer _smtp = TestSmtpServer.Start();
    private readonly RecordingJobClient _jobs = new();
    private readonly SmtpMailTransport _transport;

    private OutboxDeliveryTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
        _transport = SmtpTransport(_smtp.Port);
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : OutboxDeliveryTests(app);

    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : OutboxDeliveryTests(app);

    public async ValueTask DisposeAsync()
    {
        _transport.Dispose();
        await _smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Run_DueMessage_ArrivesWithItsHeadersMessageIdAndBodyAndRecordsTheHashOfTheBytesReceived()
    {
        var message = await EnqueueAsync(new OutgoingEmail(["owner@db.example", "security@db.example"], "[DD-2026-00001] Your database is exposed",
            "Hello,\r\n\r\nyour MongoDB at 203.0.113.10:27017 answers without a password.\r\n"));

        await DeliverAsync(message.Id);

        var received = Assert.Single(_smtp.Received);
        var parsed = MimeMessage.Load(new MemoryStream(received), TestContext.Current.CancellationToken);
        Assert.Equal(message.MessageId, parsed.MessageId);
        Assert.Equal("[DD-2026-00001] Your database is exposed", parsed.Subject);
        Assert.Equal(["owner@db.example", "security@db.example"], parsed.To.Mailboxes.Select(m => m.Address));
        Assert.Equal("disclosuredesk@localhost", parsed.From.Mailboxes.Single().Address);
        Assert.Contains("answers without a password.", parsed.TextBody, StringComparison.Ordinal);

        var row = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Sent, row.State);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, row.SentAt);
        Assert.Equal(1, row.Attempts);
        Assert.Null(row.LastError);
        // The hash is of the stored bytes, which MailKit puts on the wire unchanged: the server's copy is the
        // same message once the final line's CRLF, which SmtpServer counts as part of the terminator, is put back.
        Assert.Equal(row.Content, received.Concat("\r\n"u8.ToArray()).ToArray());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(row.Content)), row.Sha256);
    }

    [Fact]
    public async Task Run_TwiceSequentiallyAndTwiceAtOnce_DeliversOnce()
    {
        var first = await EnqueueAsync(Email("twice@db.example"));
        var second = await EnqueueAsync(Email("concurrent@db.example"));

        await DeliverAsync(first.Id);
        await DeliverAsync(first.Id);
        await Task.WhenAll(DeliverAsync(second.Id), DeliverAsync(second.Id));

        Assert.Equal(2, _smtp.Received.Count);
        Assert.Equal(2, _smtp.DataCount);
        Assert.Equal(1, (await RowAsync(first.Id)).Attempts);
        Assert.Equal(1, (await RowAsync(second.Id)).Attempts);
    }

    [Fact]
    public async Task Run_TemporaryFailuresThenRecovery_RetriesWithBackoffAndDeliversExactlyOnce()
    {
        _smtp.Then(SmtpBehaviour.TemporaryFailure);
        _smtp.Then(SmtpBehaviour.ServiceUnavailable);
        var message = await EnqueueAsync(Email("greylisted@db.example"));

        await DeliverAsync(message.Id);
        var afterFirst = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Due, afterFirst.State);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime.AddMinutes(1), afterFirst.NextAttemptAt);
        Assert.StartsWith("451", afterFirst.LastError, StringComparison.Ordinal);
        var retry = Assert.Single(_jobs.Requests);
        Assert.Equal(message.Id, retry.OutboxMessageId);
        Assert.InRange(retry.Delay!.Value, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(61));

        await DeliverAsync(message.Id);
        Assert.Equal(1, _smtp.DataCount);

        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await DeliverAsync(message.Id);
        var afterSecond = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Due, afterSecond.State);
        Assert.StartsWith("421", afterSecond.LastError, StringComparison.Ordinal);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime.AddMinutes(5), afterSecond.NextAttemptAt);

        _app.Time.Advance(TimeSpan.FromMinutes(5));
        await DeliverAsync(message.Id);
        await DeliverAsync(message.Id);

        var row = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Sent, row.State);
        Assert.Equal(3, row.Attempts);
        Assert.Equal(3, _smtp.DataCount);
        var arrived = MimeMessage.Load(new MemoryStream(Assert.Single(_smtp.Received)), TestContext.Current.CancellationToken);
        Assert.Equal(message.MessageId, arrived.MessageId);
    }

    [Fact]
    public async Task Run_PermanentRefusal_FailsWithTheRepliesTextAndRecordsItOnTheCaseChain()
    {
        var lead = await _app.CreateResearcherAsync("mailer");
        var reference = await _app.CreateCaseAsync(lead);
        var caseId = await _app.ExecuteDbContextAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
        _smtp.Then(SmtpBehaviour.Reject);
        var message = await EnqueueAsync(Email("nobody@db.example") with { CaseId = caseId });

        await DeliverAsync(message.Id);
        await DeliverAsync(message.Id);

        var row = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Failed, row.State);
        Assert.Equal("550 5.1.1 Mailbox unavailable: no such user", row.LastError);
        Assert.Equal(1, _smtp.DataCount);
        Assert.Empty(_jobs.Requests);

        var (@case, events) = await CaseWithEventsAsync(caseId);
        var last = events[^1];
        Assert.Equal(TimelineEventType.EmailFailed, last.Type);
        Assert.Null(last.ActorId);
        Assert.Contains("nobody@db.example", last.Text, StringComparison.Ordinal);
        Assert.Contains(message.MessageId, last.Text, StringComparison.Ordinal);
        Assert.Contains("550 5.1.1 Mailbox unavailable", last.Text, StringComparison.Ordinal);
        var chain = AuditChain.Verify(@case.Reference, events, @case.LastEventSequence, @case.LastEventHash);
        Assert.True(chain.IsValid, chain.Problem);
    }

    [Fact]
    public async Task Run_CaseEmailDelivered_AppendsProofWithMessageIdAndHashWhileTheCaseIsBeingEdited()
    {
        var lead = await _app.CreateResearcherAsync("proof");
        var reference = await _app.CreateCaseAsync(lead);
        var caseId = await _app.ExecuteDbContextAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
        var message = await EnqueueAsync(Email("owner@proof.example") with { CaseId = caseId });

        await Task.WhenAll(
            DeliverAsync(message.Id),
            _app.ExecuteAsync<AddCaseNote.Handler, DisclosureDesk.Features.Cases.CommandResult>(h =>
                h.HandleAsync(reference, new AddCaseNote.Command { Text = "Sent the first notice." }, lead.Current, TestContext.Current.CancellationToken)));

        var row = await RowAsync(message.Id);
        var (@case, events) = await CaseWithEventsAsync(caseId);
        var proof = Assert.Single(events, e => e.Type == TimelineEventType.EmailSent);
        Assert.Contains(message.MessageId, proof.Text, StringComparison.Ordinal);
        Assert.Contains(row.Sha256!, proof.Text, StringComparison.Ordinal);
        Assert.Single(events, e => e.Type == TimelineEventType.NoteAdded);
        var chain = AuditChain.Verify(@case.Reference, events, @case.LastEventSequence, @case.LastEventHash);
        Assert.True(chain.IsValid, chain.Problem);
    }

    [Fact]
    public async Task Run_MessagesOneAfterAnother_ShareOneConnectionAndADroppedOneIsReplaced()
    {
        var first = await EnqueueAsync(Email("first@db.example"));
        var second = await EnqueueAsync(Email("second@db.example"));
        var dropped = await EnqueueAsync(Email("dropped@db.example"));
        var afterDrop = await EnqueueAsync(Email("after-drop@db.example"));

        await DeliverAsync(first.Id);
        await DeliverAsync(second.Id);
        Assert.Equal(1, _smtp.SessionCount);

        _smtp.Then(SmtpBehaviour.DropAfterData);
        await DeliverAsync(dropped.Id);
        await DeliverAsync(afterDrop.Id);

        Assert.Equal(OutboxState.Unknown, (await RowAsync(dropped.Id)).State);
        Assert.Equal(OutboxState.Sent, (await RowAsync(afterDrop.Id)).State);
        Assert.Equal(2, _smtp.SessionCount);
        Assert.Equal(
            new[] { first.MessageId, second.MessageId, afterDrop.MessageId },
            _smtp.Received.Select(bytes => MimeMessage.Load(new MemoryStream(bytes), TestContext.Current.CancellationToken).MessageId));
    }

    [Fact]
    public async Task Run_ReusedConnectionClosedByTheServer_SendsOnANewOneAtOnce()
    {
        var first = await EnqueueAsync(Email("before-hangup@db.example"));
        var second = await EnqueueAsync(Email("after-hangup@db.example"));
        _smtp.Then(SmtpBehaviour.AcceptThenHangUp);

        await DeliverAsync(first.Id);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_smtp.EndedSessionCount == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        await DeliverAsync(second.Id);

        var row = await RowAsync(second.Id);
        Assert.Equal(OutboxState.Sent, row.State);
        Assert.Equal(1, row.Attempts);
        Assert.Empty(_jobs.Requests);
        Assert.Equal(2, _smtp.SessionCount);
        Assert.Equal(2, _smtp.Received.Count);
    }

    [Fact]
    public async Task Run_AfterARefusalAndAfterTheIdleLimit_OpensANewConnection()
    {
        var refused = await EnqueueAsync(Email("refused@db.example"));
        var next = await EnqueueAsync(Email("next@db.example"));
        var later = await EnqueueAsync(Email("later-on@db.example"));

        _smtp.Then(SmtpBehaviour.Reject);
        await DeliverAsync(refused.Id);
        await DeliverAsync(next.Id);
        Assert.Equal(2, _smtp.SessionCount);

        _app.Time.Advance(SmtpMailTransport.IdleLimit);
        await DeliverAsync(later.Id);

        Assert.Equal(3, _smtp.SessionCount);
        Assert.Equal(OutboxState.Sent, (await RowAsync(later.Id)).State);
    }

    [Fact]
    public async Task Run_ServerDown_SchedulesARetry()
    {
        var message = await EnqueueAsync(Email("later@db.example"));

        await DeliverAsync(message.Id, SmtpTransport(TestSmtpServer.FreePort()));

        var row = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Due, row.State);
        Assert.Equal(1, row.Attempts);
        Assert.StartsWith("Could not connect to 127.0.0.1", row.LastError, StringComparison.Ordinal);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime.AddMinutes(1), row.NextAttemptAt);
        Assert.Equal(message.Id, Assert.Single(_jobs.Requests).OutboxMessageId);
    }

    [Fact]
    public async Task Run_ConnectionDroppedAfterTheBody_IsUnknownAndNeverResent()
    {
        _smtp.Then(SmtpBehaviour.DropAfterData);
        var message = await EnqueueAsync(Email("maybe@db.example"));

        await DeliverAsync(message.Id);
        _app.Time.Advance(TimeSpan.FromHours(1));
        await DeliverAsync(message.Id);
        var swept = await SweepAsync();

        var row = await RowAsync(message.Id);
        Assert.True(row.State == OutboxState.Unknown, $"{row.State}: {row.LastError}");
        Assert.Contains("after the message was sent", row.LastError, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(row.Content)), row.Sha256);
        Assert.Equal(1, _smtp.DataCount);
        Assert.Empty(_smtp.Received);
        Assert.DoesNotContain(message.Id, swept);
    }

    [Fact]
    public async Task Sweep_DueRowHangfireNeverGot_EnqueuesItsDeliveryOnceOverdue()
    {
        var message = await EnqueueAsync(Email("lost@db.example"));

        Assert.DoesNotContain(message.Id, await SweepAsync());
        _app.Time.Advance(SweepOutboxJob.Grace);
        Assert.Contains(message.Id, await SweepAsync());
        await DeliverAsync(message.Id);

        Assert.Single(_smtp.Received);
        Assert.DoesNotContain(message.Id, await SweepAsync());
    }

    [Fact]
    public async Task Sweep_RowLeftInSendingByADeadJob_IsReclaimedAfterTheLeaseAndMarkedUnknownForSmtp()
    {
        var message = await EnqueueAsync(Email("crashed@db.example"));
        await _app.ExecuteDbContextAsync(db => db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.State, OutboxState.Sending)
            .SetProperty(m => m.ClaimedAt, _app.Time.GetUtcNow().UtcDateTime)
            .SetProperty(m => m.Attempts, 1)));

        _app.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.DoesNotContain(message.Id, await SweepAsync());
        await DeliverAsync(message.Id);
        Assert.Equal(OutboxState.Sending, (await RowAsync(message.Id)).State);

        _app.Time.Advance(OutboxRetryPolicy.SendingLease);
        Assert.Contains(message.Id, await SweepAsync());
        await DeliverAsync(message.Id);

        var row = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Unknown, row.State);
        Assert.Contains("interrupted", row.LastError, StringComparison.Ordinal);
        Assert.Equal(0, _smtp.DataCount);
    }

    [Fact]
    public async Task PickupFolder_DeliveredAndRetried_WritesOneEmlNamedAfterTheMessageId()
    {
        var folder = Directory.CreateTempSubdirectory("disclosuredesk-pickup-");
        try
        {
            var transport = new PickupFolderTransport(Path.Combine(folder.FullName, "mail", "pickup"));
            var first = await EnqueueAsync(Email("eml@db.example"));
            var second = await EnqueueAsync(Email("eml2@db.example"));

            await DeliverAsync(first.Id, transport);
            await DeliverAsync(second.Id, transport);
            var again = await transport.SendAsync(first.Content, first.MessageId, TestContext.Current.CancellationToken);

            Assert.Equal(DeliveryOutcome.Delivered, again.Outcome);
            var files = Directory.GetFiles(transport.Directory).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(new[] { transport.PathFor(first.MessageId), transport.PathFor(second.MessageId) }.Order(StringComparer.Ordinal), files);
            Assert.Equal(first.Content, await File.ReadAllBytesAsync(transport.PathFor(first.MessageId), TestContext.Current.CancellationToken));
            Assert.Equal(OutboxState.Sent, (await RowAsync(first.Id)).State);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static OutgoingEmail Email(string to) => new([to], $"Test for {to}", $"Body for {to}.\r\nSecond line, ünïcode.\r\n");

    private SmtpMailTransport SmtpTransport(int port) => new(
        Options.Create(new EmailOptions { Smtp = { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, TimeoutSeconds = 10 } }),
        _app.Time,
        NullLogger<SmtpMailTransport>.Instance);

    private Task<OutboxMessage> EnqueueAsync(OutgoingEmail email) => _app.ExecuteDbContextAsync(async db =>
    {
        var message = _app.Services.GetRequiredService<Outbox>().Enqueue(db, email);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return message;
    });

    private Task DeliverAsync(long id, IMailTransport? transport = null) =>
        new DeliverOutboxMessageJob(
                _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>(),
                transport ?? _transport,
                _jobs,
                _app.Time,
                NullLogger<DeliverOutboxMessageJob>.Instance)
            .RunAsync(id, TestContext.Current.CancellationToken);

    private async Task<List<long>> SweepAsync()
    {
        var jobs = new RecordingJobClient();
        await new SweepOutboxJob(_app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>(), jobs, _app.Time)
            .RunAsync(TestContext.Current.CancellationToken);
        return jobs.Requests.Select(r => r.OutboxMessageId).ToList();
    }

    private Task<OutboxMessage> RowAsync(long id) =>
        _app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id));

    private Task<(DisclosureDesk.Features.Cases.Case Case, List<TimelineEvent> Events)> CaseWithEventsAsync(int caseId) =>
        _app.ExecuteDbContextAsync(async db => (
            await db.Cases.AsNoTracking().SingleAsync(c => c.Id == caseId),
            await db.TimelineEvents.AsNoTracking().Where(e => e.CaseId == caseId).OrderBy(e => e.Sequence).ToListAsync()));
}
