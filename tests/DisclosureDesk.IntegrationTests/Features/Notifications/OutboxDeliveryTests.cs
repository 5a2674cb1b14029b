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
/// Outbox rows delivered by <see cref="DeliverOutboxJob"/> to a real SMTP server on loopback, with the faults mail
/// servers produce. The job is called directly with the fixture's clock; Hangfire's part has its own tests
/// (<see cref="OutboxRestartTests"/>). A run delivers every due row of the database, which the collection's tests
/// share, so each test starts by cancelling whatever other tests left pending.
/// </summary>
public abstract class OutboxDeliveryTests : IAsyncLifetime
{
    private readonly DisclosureDeskFactory _app;
    private readonly TestSmtpServer _smtp = TestSmtpServer.Start();
    private readonly RecordingJobClient _jobs = new();
    private readonly OutboxDeliveryGate _gate = new();
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

    public async ValueTask InitializeAsync() => await OutboxTestKit.CancelPendingAsync(_app);

    public async ValueTask DisposeAsync()
    {
        _transport.Dispose();
        _gate.Dispose();
        await _smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Run_DueMessage_ArrivesWithItsHeadersMessageIdAndBodyAndRecordsTheHashOfTheBytesReceived()
    {
        var message = await EnqueueAsync(new OutgoingEmail(["owner@db.example", "security@db.example"], "[DD-2026-00001] Your database is exposed",
            "Hello,\r\n\r\nyour MongoDB at 203.0.113.10:27017 answers without a password.\r\n"));

        await DeliverAsync();

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
    public async Task Run_TwiceSequentiallyAndTwiceAtOnce_DeliversEachRowOnce()
    {
        var first = await EnqueueAsync(Email("twice@db.example"));
        await DeliverAsync();
        await DeliverAsync();
        var batch = await EnqueueAsync(Enumerable.Range(1, 60).Select(i => Email($"concurrent-{i}@db.example")).ToArray());

        // Two processes' runs (each has its own gate) at once, then a third.
        using (var otherProcess = new OutboxDeliveryGate())
        {
            await Task.WhenAll(DeliverAsync(), DeliverAsync(gate: otherProcess));
        }
        await DeliverAsync();

        var expected = batch.Prepend(first).Select(m => m.MessageId).Order(StringComparer.Ordinal);
        Assert.Equal(expected, ReceivedMessageIds().Order(StringComparer.Ordinal));
        Assert.Equal(61, _smtp.DataCount);
        var rows = await RowsAsync(batch.Prepend(first));
        Assert.All(rows, row => Assert.Equal((OutboxState.Sent, 1), (row.State, row.Attempts)));
        Assert.InRange(_smtp.SessionCount, 1, 2);
    }

    [Fact]
    public async Task Run_ManyDueRows_SendsThemInDueOrderOverOneConnectionAndNeedsNoFurtherJob()
    {
        var batch = await EnqueueAsync(Enumerable.Range(1, 150).Select(i => Email($"bulk-{i}@db.example")).ToArray());

        await DeliverAsync();

        Assert.Equal(batch.Select(m => m.MessageId), ReceivedMessageIds());
        Assert.Equal(1, _smtp.SessionCount);
        Assert.All(await RowsAsync(batch), row => Assert.Equal(OutboxState.Sent, row.State));
        Assert.Empty(_jobs.Requests);
    }

    [Fact]
    public async Task Run_TemporaryFailuresThenRecovery_RetriesWithBackoffAndDeliversExactlyOnce()
    {
        _smtp.Then(SmtpBehaviour.TemporaryFailure);
        _smtp.Then(SmtpBehaviour.ServiceUnavailable);
        var message = await EnqueueAsync(Email("greylisted@db.example"));

        await DeliverAsync();
        var afterFirst = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Due, afterFirst.State);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime.AddMinutes(1), afterFirst.NextAttemptAt);
        Assert.StartsWith("451", afterFirst.LastError, StringComparison.Ordinal);
        var retry = Assert.Single(_jobs.Requests);
        Assert.InRange(retry.Delay!.Value, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(61));

        await DeliverAsync();
        Assert.Equal(1, _smtp.DataCount);

        _app.Time.Advance(TimeSpan.FromMinutes(1));
        await DeliverAsync();
        var afterSecond = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Due, afterSecond.State);
        Assert.StartsWith("421", afterSecond.LastError, StringComparison.Ordinal);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime.AddMinutes(5), afterSecond.NextAttemptAt);

        _app.Time.Advance(TimeSpan.FromMinutes(5));
        await DeliverAsync();
        await DeliverAsync();

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

        await DeliverAsync();
        await DeliverAsync();

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
            DeliverAsync(),
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
        await DeliverAsync();
        var third = await EnqueueAsync(Email("third@db.example"));
        await DeliverAsync();
        Assert.Equal(1, _smtp.SessionCount);

        var dropped = await EnqueueAsync(Email("dropped@db.example"));
        var afterDrop = await EnqueueAsync(Email("after-drop@db.example"));
        _smtp.Then(SmtpBehaviour.DropAfterData);
        await DeliverAsync();

        Assert.Equal(OutboxState.Unknown, (await RowAsync(dropped.Id)).State);
        Assert.Equal(OutboxState.Sent, (await RowAsync(afterDrop.Id)).State);
        Assert.Equal(2, _smtp.SessionCount);
        Assert.Equal(
            new[] { first.MessageId, second.MessageId, third.MessageId, afterDrop.MessageId },
            ReceivedMessageIds());
    }

    [Fact]
    public async Task Run_ReusedConnectionClosedByTheServer_SendsOnANewOneAtOnce()
    {
        await EnqueueAsync(Email("before-hangup@db.example"));
        _smtp.Then(SmtpBehaviour.AcceptThenHangUp);

        await DeliverAsync();
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (_smtp.EndedSessionCount == 0 && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        var second = await EnqueueAsync(Email("after-hangup@db.example"));
        await DeliverAsync();

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
        await EnqueueAsync(Email("refused@db.example"));
        _smtp.Then(SmtpBehaviour.Reject);
        await DeliverAsync();
        await EnqueueAsync(Email("next@db.example"));
        await DeliverAsync();
        Assert.Equal(2, _smtp.SessionCount);

        _app.Time.Advance(SmtpMailTransport.IdleLimit);
        var later = await EnqueueAsync(Email("later-on@db.example"));
        await DeliverAsync();

        Assert.Equal(3, _smtp.SessionCount);
        Assert.Equal(OutboxState.Sent, (await RowAsync(later.Id)).State);
    }

    [Fact]
    public async Task Run_ServerDown_SchedulesARetry()
    {
        var message = await EnqueueAsync(Email("later@db.example"));

        await DeliverAsync(SmtpTransport(TestSmtpServer.FreePort()));

        var row = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Due, row.State);
        Assert.Equal(1, row.Attempts);
        Assert.StartsWith("Could not connect to 127.0.0.1", row.LastError, StringComparison.Ordinal);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime.AddMinutes(1), row.NextAttemptAt);
        Assert.InRange(Assert.Single(_jobs.Requests).Delay!.Value, TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(61));
    }

    [Fact]
    public async Task Run_ConnectionDroppedAfterTheBody_IsUnknownAndNeverResent()
    {
        _smtp.Then(SmtpBehaviour.DropAfterData);
        var message = await EnqueueAsync(Email("maybe@db.example"));

        await DeliverAsync();
        _app.Time.Advance(TimeSpan.FromHours(1));
        await DeliverAsync();
        var swept = await SweepAsync();

        var row = await RowAsync(message.Id);
        Assert.True(row.State == OutboxState.Unknown, $"{row.State}: {row.LastError}");
        Assert.Contains("after the message was sent", row.LastError, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(row.Content)), row.Sha256);
        Assert.Equal(1, _smtp.DataCount);
        Assert.Empty(_smtp.Received);
        Assert.Equal(0, swept);
    }

    [Fact]
    public async Task Sweep_DueRowHangfireNeverGot_EnqueuesItsDeliveryOnceOverdue()
    {
        var message = await EnqueueAsync(Email("lost@db.example"));

        Assert.Equal(0, await SweepAsync());
        _app.Time.Advance(SweepOutboxJob.Grace);
        Assert.Equal(1, await SweepAsync());
        await DeliverAsync();

        Assert.Equal([message.MessageId], ReceivedMessageIds());
        Assert.Equal(0, await SweepAsync());
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
        Assert.Equal(0, await SweepAsync());
        await DeliverAsync();
        Assert.Equal(OutboxState.Sending, (await RowAsync(message.Id)).State);

        _app.Time.Advance(OutboxRetryPolicy.SendingLease);
        Assert.Equal(1, await SweepAsync());
        await DeliverAsync();

        var row = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Unknown, row.State);
        Assert.Contains("interrupted", row.LastError, StringComparison.Ordinal);
        Assert.Equal(0, _smtp.DataCount);
    }

    [Fact]
    public async Task Run_StopRequestedWhileAMessageIsOnTheWire_FinishesItClaimsNothingMoreAndEndsCancelled()
    {
        var batch = await EnqueueAsync(Enumerable.Range(1, 20).Select(i => Email($"stop-{i}@db.example")).ToArray());
        using var stop = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            DeliverAsync(new StopOnSend(_transport, stop, onSend: 5), stop.Token));

        Assert.Equal(batch.Take(5).Select(m => m.MessageId), ReceivedMessageIds());
        var rows = await RowsAsync(batch);
        Assert.All(rows.Take(5), row => Assert.Equal((OutboxState.Sent, 1), (row.State, row.Attempts)));
        Assert.All(rows.Skip(5), row => Assert.Equal((OutboxState.Due, 0), (row.State, row.Attempts)));
        Assert.Empty(_jobs.Requests);

        await DeliverAsync();
        Assert.Equal(batch.Select(m => m.MessageId), ReceivedMessageIds());
        Assert.All(await RowsAsync(batch), row => Assert.Equal((OutboxState.Sent, 1), (row.State, row.Attempts)));
    }

    [Fact]
    public async Task Run_StoppedWhileTheServerKeepsSilent_AbandonsTheAttemptAfterTheGraceAndLeavesTheRowDue()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var message = await EnqueueAsync(Email("silent@db.example"));
        // Accepts connections and never greets, so the attempt hangs before any of the message is written.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        using var transport = SmtpTransport(((System.Net.IPEndPoint)silent.LocalEndpoint).Port);
        using var stop = new CancellationTokenSource();

        var run = DeliverAsync(transport, stop.Token);
        using var accepted = await silent.AcceptTcpClientAsync(cancellationToken);
        await stop.CancelAsync();
        Assert.False(run.IsCompleted, "The message on the wire gets a grace period before it is abandoned.");
        _app.Time.Advance(DeliverOutboxJob.InFlightGrace);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        var row = await RowAsync(message.Id);
        Assert.Equal(OutboxState.Due, row.State);
        Assert.Equal(0, row.Attempts);
        Assert.Null(row.LastError);
        Assert.Null(row.ClaimedAt);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, row.NextAttemptAt);
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

            await DeliverAsync(transport);
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

    /// <summary>Requests the stop just before the given send starts, as a host stopping mid-batch would.</summary>
    private sealed class StopOnSend(IMailTransport inner, CancellationTokenSource stop, int onSend) : IMailTransport
    {
        private int _sends;

        public bool ResendIsHarmless => inner.ResendIsHarmless;

        public Task<DeliveryResult> SendAsync(ReadOnlyMemory<byte> message, string messageId, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _sends) == onSend)
            {
                stop.Cancel();
            }
            return inner.SendAsync(message, messageId, cancellationToken);
        }
    }

    private static OutgoingEmail Email(string to) => new([to], $"Test for {to}", $"Body for {to}.\r\nSecond line, ünïcode.\r\n");

    private SmtpMailTransport SmtpTransport(int port) => OutboxTestKit.SmtpTransport(port, _app.Time);

    private async Task<OutboxMessage> EnqueueAsync(OutgoingEmail email) => (await EnqueueAsync([email]))[0];

    /// <summary>Saves the rows in one transaction, as a bulk change would.</summary>
    private Task<List<OutboxMessage>> EnqueueAsync(params OutgoingEmail[] emails) => _app.ExecuteDbContextAsync(async db =>
    {
        var outbox = _app.Services.GetRequiredService<Outbox>();
        var messages = emails.Select(email => outbox.Enqueue(db, email)).ToList();
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return messages;
    });

    private Task DeliverAsync(IMailTransport? transport = null, CancellationToken? stop = null, OutboxDeliveryGate? gate = null) =>
        Job(transport, gate).RunAsync(stop ?? TestContext.Current.CancellationToken);

    private DeliverOutboxJob Job(IMailTransport? transport = null, OutboxDeliveryGate? gate = null) => new(
        _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>(),
        transport ?? _transport,
        gate ?? _gate,
        OutboxTestKit.Unpaced,
        _jobs,
        _app.Time,
        NullLogger<DeliverOutboxJob>.Instance);

    /// <summary>Runs the sweep; returns how many rows it found overdue, after checking it asked for one delivery run exactly when there were any.</summary>
    private async Task<int> SweepAsync()
    {
        var jobs = new RecordingJobClient();
        var overdue = await new SweepOutboxJob(_app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>(), OutboxTestKit.Unpaced, jobs, _app.Time)
            .RunAsync(TestContext.Current.CancellationToken);
        Assert.Equal(overdue > 0 ? 1 : 0, jobs.Requests.Count);
        return overdue;
    }

    private List<string?> ReceivedMessageIds() =>
        _smtp.Received.Select(bytes => MimeMessage.Load(new MemoryStream(bytes), TestContext.Current.CancellationToken).MessageId).ToList();

    private Task<OutboxMessage> RowAsync(long id) =>
        _app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id));

    private Task<List<OutboxMessage>> RowsAsync(IEnumerable<OutboxMessage> messages)
    {
        var ids = messages.Select(m => m.Id).ToList();
        return _app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).ToListAsync());
    }

    private Task<(DisclosureDesk.Features.Cases.Case Case, List<TimelineEvent> Events)> CaseWithEventsAsync(int caseId) =>
        _app.ExecuteDbContextAsync(async db => (
            await db.Cases.AsNoTracking().SingleAsync(c => c.Id == caseId),
            await db.TimelineEvents.AsNoTracking().Where(e => e.CaseId == caseId).OrderBy(e => e.Sequence).ToListAsync()));
}
