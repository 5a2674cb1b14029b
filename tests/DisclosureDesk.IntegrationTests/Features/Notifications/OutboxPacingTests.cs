using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>
/// Paced delivery to a real SMTP server on loopback (ADR-022), with the lanes where the app keeps them: in the process
/// on SQLite, in the database on PostgreSQL, where two instances also share them (ADR-027). Rates are measured on the
/// fixture's clock: the runs end at the pacer's next slot (no waiting inside a run), and the test moves the clock to
/// the run each one asked for, as Hangfire would start it, so every sending time, and so every measured rate, is
/// exact and repeatable.
/// </summary>
public abstract class OutboxPacingTests : IAsyncLifetime
{
    private readonly DisclosureDeskFactory _app;
    private readonly TestSmtpServer _smtp = TestSmtpServer.Start();
    private readonly RecordingJobClient _jobs = new();
    private readonly List<DateTime> _wakeUps = [];
    private int _rounds;
    private readonly OutboxDeliveryGate _gate = new();
    private readonly SmtpMailTransport _transport;

    private OutboxPacingTests(DisclosureDeskFactory app)
    {
        app.RequireDatabase();
        _app = app;
        _transport = OutboxTestKit.SmtpTransport(_smtp.Port, _app.Time);
    }

    [Collection(typeof(SqliteCollection))]
    public sealed class OnSqlite(SqliteDisclosureDeskFactory app) : OutboxPacingTests(app);

    /// <summary>Also what only PostgreSQL offers: instances that pace together, through the lanes in the database.</summary>
    [Collection(typeof(PostgreSqlCollection))]
    public sealed class OnPostgreSql(PostgreSqlDisclosureDeskFactory app) : OutboxPacingTests(app)
    {
        [Fact]
        public async Task Run_TwoInstancesTakingTurns_TogetherKeepTheGlobalAndDomainRatesAndSendEachMessageOnce()
        {
            await using var second = new SecondInstance(_app, _smtp.Port, _jobs);
            var instances = new[] { Job(Pacer(perMinute: 120, perDomain: 30)), second.Job(second.Pacer(Settings(120, 30))) };
            var slow = await EnqueueAsync(Enumerable.Range(1, 10).Select(i => Email($"abuse-{i}@slow.example")).ToArray());
            var others = await EnqueueAsync(Enumerable.Range(1, 30).Select(i => Email($"owner@host-{i}.example")).ToArray());

            await DrainAsync(instances, [.. slow, .. others]);

            var all = await RowsAsync([.. slow, .. others]);
            Assert.Equal(all.Select(m => m.MessageId).Order(StringComparer.Ordinal), ReceivedMessageIds().Order(StringComparer.Ordinal));
            // Each instance pacing on its own would send at the full rate while the other does, so the two at twice it.
            var sent = all.Select(row => row.SentAt!.Value).Order().ToList();
            Assert.InRange(PerMinute(sent), 108, 132);
            Assert.All(sent.Zip(sent.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMilliseconds(500), "Two messages went out closer than the global rate allows."));
            var slowSent = (await RowsAsync(slow)).Select(row => row.SentAt!.Value).Order().ToList();
            Assert.InRange(PerMinute(slowSent), 27, 33);
            Assert.All(slowSent.Zip(slowSent.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(2), "slow.example got mail faster than its rate."));
        }

        [Fact]
        public async Task TryReserve_TwoInstancesAskingAtOnce_OnlyOneGetsTheSlot()
        {
            await using var second = new SecondInstance(_app, _smtp.Port, _jobs);
            var pacers = new[] { Pacer(perMinute: 60, perDomain: 60), second.Pacer(Settings(60, 60)) };
            var now = _app.Time.GetUtcNow().UtcDateTime;

            // Twenty messages to twenty domains, asked for at the same instant from both instances' connection pools at once.
            var answers = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(
                () => pacers[i % 2].TryReserveAsync([$"host-{i}.example"], now, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken)));

            Assert.Single(answers, answer => answer is null);
            Assert.All(answers.OfType<SendPacer.Refusal>(), refusal => Assert.Equal((now.AddSeconds(1), true), (refusal.NotBefore, refusal.Global)));
        }

        [Fact]
        public async Task Run_BurstOf421SeenByOneInstance_TheOtherSendsSlowerUntilItRecovers()
        {
            await using var second = new SecondInstance(_app, _smtp.Port, _jobs);
            var first = Pacer(perMinute: 60, perDomain: 60);
            var other = second.Pacer(Settings(60, 60));
            var batch = await EnqueueAsync(Enumerable.Range(1, 20).Select(i => Email($"owner@site-{i}.example")).ToArray());
            _smtp.Then(SmtpBehaviour.ServiceUnavailable, SendPacer.BurstThreshold);

            for (var i = 0; i < SendPacer.BurstThreshold; i++)
            {
                await RunAndAdvanceAsync(first);
            }
            // The other instance (or this one after a restart) reads the slowdown from the database, and its Outbox page shows it.
            var admin = await _app.CreateAdministratorAsync("pacing");
            var panel = await second.Outbox(other).PacingAsync(admin.Current, TestContext.Current.CancellationToken);
            Assert.Equal((true, 30.0), (panel!.Global!.Slowed, panel.Global.PerMinute!.Value));
            Assert.Equal(20 - SendPacer.BurstThreshold, panel.Waiting);

            await DrainAsync([second.Job(other)], batch);

            await AssertRecoveredFromBurstAsync(batch, first);
        }
    }

    /// <summary>
    /// A second app instance as far as delivery goes: its own connection pool to the same database, its own SMTP
    /// connections and its own delivery gate (runs in two processes are not ordered by one); the Hangfire storage, so
    /// the job client, is shared as on PostgreSQL it is.
    /// </summary>
    private sealed class SecondInstance(DisclosureDeskFactory app, int smtpPort, RecordingJobClient jobs) : IAsyncDisposable
    {
        private readonly OutboxDeliveryGate _gate = new();
        private readonly SmtpMailTransport _transport = OutboxTestKit.SmtpTransport(smtpPort, app.Time);
        private readonly IDbContextFactory<AppDbContext> _dbFactory = new OwnPool(app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value);

        public SendPacer Pacer(EmailOptions settings) => new(Options.Create(settings), new PostgreSqlSendPacingLanes(_dbFactory));

        public ListOutbox.Handler Outbox(SendPacer pacer) => new(_dbFactory, pacer, app.Time);

        public DeliverOutboxJob Job(SendPacer pacer) => new(_dbFactory, _transport, _gate, pacer, jobs, app.Time, NullLogger<DeliverOutboxJob>.Instance);

        public ValueTask DisposeAsync()
        {
            _transport.Dispose();
            _gate.Dispose();
            return ValueTask.CompletedTask;
        }

        /// <summary>Contexts on the fixture's database through a pool of their own (Npgsql pools by connection string).</summary>
        private sealed class OwnPool(DatabaseOptions database) : IDbContextFactory<AppDbContext>
        {
            private readonly DbContextOptions<AppDbContext> _options = DataServiceCollectionExtensions.BuildOptions(
                new DatabaseOptions
                {
                    Provider = DatabaseProvider.PostgreSql,
                    ConnectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = "second-instance" }.ConnectionString,
                },
                AppContext.BaseDirectory);

            public AppDbContext CreateDbContext() => new PostgreSqlAppDbContext(_options);
        }
    }

    public async ValueTask InitializeAsync()
    {
        await OutboxTestKit.CancelPendingAsync(_app);
        // The lanes in the database outlive a pacer (that is their point), so each test starts from none.
        await _app.ExecuteDbContextAsync(db => db.SendPacingLanes.ExecuteDeleteAsync(TestContext.Current.CancellationToken));
    }

    public async ValueTask DisposeAsync()
    {
        _transport.Dispose();
        _gate.Dispose();
        await _smtp.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Run_GlobalRate_ServerAcceptsAtTheConfiguredRateAndEachMessageOnce()
    {
        var pacer = Pacer(perMinute: 120, perDomain: 0);
        var batch = await EnqueueAsync(Enumerable.Range(1, 40).Select(i => Email($"owner-{i}@host-{i}.example")).ToArray());

        await DrainAsync(pacer, batch);

        Assert.Equal(batch.Select(m => m.MessageId).Order(StringComparer.Ordinal), ReceivedMessageIds().Order(StringComparer.Ordinal));
        var sent = (await RowsAsync(batch)).Select(row => row.SentAt!.Value).Order().ToList();
        Assert.InRange(PerMinute(sent), 108, 132);
        Assert.All(sent.Zip(sent.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMilliseconds(500), "Two messages went out closer than the rate allows."));
    }

    [Fact]
    public async Task Run_DomainRateBelowGlobal_ThatDomainKeepsItsRateWhileOtherDomainsFillTheGlobalRate()
    {
        var pacer = Pacer(perMinute: 120, perDomain: 30);
        var slow = await EnqueueAsync(Enumerable.Range(1, 10).Select(i => Email($"abuse-{i}@slow.example")).ToArray());
        var others = await EnqueueAsync(Enumerable.Range(1, 30).Select(i => Email($"owner@host-{i}.example")).ToArray());

        await DrainAsync(pacer, [.. slow, .. others]);

        Assert.Equal(40, _smtp.Received.Count);
        Assert.Equal(40, ReceivedMessageIds().Distinct().Count());
        var slowSent = (await RowsAsync(slow)).Select(row => row.SentAt!.Value).Order().ToList();
        Assert.InRange(PerMinute(slowSent), 27, 33);
        Assert.All(slowSent.Zip(slowSent.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(2), "slow.example got mail faster than its rate."));
        // While slow.example waited for its slots, the other domains' mail went in between at the global rate.
        var all = (await RowsAsync([.. slow, .. others])).Select(row => row.SentAt!.Value).Order().ToList();
        Assert.InRange(PerMinute(all), 108, 132);
        var othersWhileSlowWaited = (await RowsAsync(others)).Count(row => row.SentAt < slowSent[^1]);
        Assert.InRange(othersWhileSlowWaited, 24, 30);
    }

    [Fact]
    public async Task Run_BurstOf451FromOneDomain_SlowsThatDomainThenRecoversAndDeliversEveryMessageOnce()
    {
        var pacer = Pacer(perMinute: 0, perDomain: 60);
        var batch = await EnqueueAsync(Enumerable.Range(1, 30).Select(i => Email($"user-{i}@busy.example")).ToArray());
        _smtp.Then(SmtpBehaviour.TemporaryFailure, SendPacer.BurstThreshold);

        // Up to the burst: three refusals one slot apart, and the refused rows wait for their retry as Due rows.
        for (var i = 0; i < SendPacer.BurstThreshold; i++)
        {
            await RunAndAdvanceAsync(pacer);
        }
        var afterBurst = await RowsAsync(batch);
        Assert.All(afterBurst.Take(SendPacer.BurstThreshold), row =>
            Assert.Equal((OutboxState.Due, 1, true), (row.State, row.Attempts, row.NextAttemptAt > _app.Time.GetUtcNow().UtcDateTime)));
        // The rows the pacer holds back are not claimed: still Due, never attempted.
        Assert.All(afterBurst.Skip(SendPacer.BurstThreshold), row => Assert.Equal((OutboxState.Due, 0), (row.State, row.Attempts)));
        Assert.True((await pacer.SnapshotAsync(_app.Time.GetUtcNow().UtcDateTime, TestContext.Current.CancellationToken)).Domains.Single(lane => lane.Name == "busy.example").Slowed);

        await DrainAsync(pacer, batch);

        Assert.Equal(batch.Select(m => m.MessageId).Order(StringComparer.Ordinal), ReceivedMessageIds().Order(StringComparer.Ordinal));
        Assert.Equal(30 + SendPacer.BurstThreshold, _smtp.DataCount);
        var rows = await RowsAsync(batch);
        Assert.All(rows, row => Assert.Equal(OutboxState.Sent, row.State));
        var firstTries = rows.Skip(SendPacer.BurstThreshold).Select(row => row.SentAt!.Value).Order().ToList();
        var gaps = firstTries.Zip(firstTries.Skip(1), (a, b) => b - a).ToList();
        // Half the rate right after the burst, back to the full rate (one a second) by the end.
        // A refused row keeps its retry time, one minute after the refusal.
        var lastRefusal = rows.Take(SendPacer.BurstThreshold).Max(row => row.NextAttemptAt) - TimeSpan.FromMinutes(1);
        Assert.Equal(TimeSpan.FromSeconds(2), firstTries[0] - lastRefusal);
        Assert.True(gaps[0] > TimeSpan.FromSeconds(1.6), $"The first gap after the burst was {gaps[0]}.");
        Assert.Equal(TimeSpan.FromSeconds(1), gaps[^1]);
        Assert.DoesNotContain((await pacer.SnapshotAsync(_app.Time.GetUtcNow().UtcDateTime, TestContext.Current.CancellationToken)).Domains, lane => lane.Slowed);
    }

    [Fact]
    public async Task Run_BurstOf421_SlowsTheGlobalRateThenRecoversAndDeliversEveryMessageOnce()
    {
        var pacer = Pacer(perMinute: 60, perDomain: 60);
        var batch = await EnqueueAsync(Enumerable.Range(1, 20).Select(i => Email($"owner@site-{i}.example")).ToArray());
        _smtp.Then(SmtpBehaviour.ServiceUnavailable, SendPacer.BurstThreshold);

        for (var i = 0; i < SendPacer.BurstThreshold; i++)
        {
            await RunAndAdvanceAsync(pacer);
        }
        var slowed = await pacer.SnapshotAsync(_app.Time.GetUtcNow().UtcDateTime, TestContext.Current.CancellationToken);
        Assert.Equal((true, 30.0), (slowed.Global.Slowed, slowed.Global.PerMinute!.Value));
        Assert.DoesNotContain(slowed.Domains, lane => lane.Slowed);

        await DrainAsync(pacer, batch);

        await AssertRecoveredFromBurstAsync(batch, pacer);
    }

    /// <summary>
    /// After a burst of 421s on a 60-a-minute pace: every message arrived once (the burst's on their second try), the
    /// first gap after the burst is wider than the pace, and the last is the pace again.
    /// </summary>
    private async Task AssertRecoveredFromBurstAsync(List<OutboxMessage> batch, SendPacer pacer)
    {
        Assert.Equal(batch.Select(m => m.MessageId).Order(StringComparer.Ordinal), ReceivedMessageIds().Order(StringComparer.Ordinal));
        Assert.Equal(20 + SendPacer.BurstThreshold, _smtp.DataCount);
        var firstTries = (await RowsAsync(batch.Skip(SendPacer.BurstThreshold))).Select(row => row.SentAt!.Value).Order().ToList();
        var gaps = firstTries.Zip(firstTries.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps[0] > TimeSpan.FromSeconds(1.6), $"The first gap after the burst was {gaps[0]}.");
        Assert.Equal(TimeSpan.FromSeconds(1), gaps[^1]);
        Assert.False((await pacer.SnapshotAsync(_app.Time.GetUtcNow().UtcDateTime, TestContext.Current.CancellationToken)).Global.Slowed);
    }

    [Fact]
    public async Task Run_NextSlotBeyondMaxWait_EndsAndSchedulesARunAtThatSlotWithoutClaimingTheRow()
    {
        var pacer = Pacer(perMinute: 0, perDomain: 6);
        var batch = await EnqueueAsync(Email("a@one.example"), Email("b@one.example"));

        _jobs.Requests.Clear();
        await Job(pacer).RunAsync(TestContext.Current.CancellationToken);

        Assert.Single(_smtp.Received);
        var request = Assert.Single(_jobs.Requests);
        Assert.InRange(request.Delay!.Value, TimeSpan.FromSeconds(9.9), TimeSpan.FromSeconds(10));
        var waiting = (await RowsAsync(batch))[1];
        Assert.Equal((OutboxState.Due, 0, (DateTime?)null), (waiting.State, waiting.Attempts, waiting.ClaimedAt));
    }

    private static double PerMinute(IReadOnlyList<DateTime> sent) => (sent.Count - 1) / (sent[^1] - sent[0]).TotalMinutes;

    private Task DrainAsync(SendPacer pacer, IReadOnlyList<OutboxMessage> batch) => DrainAsync([Job(pacer)], batch);

    /// <summary>
    /// Runs delivery on every instance and moves the clock to the earliest run any of them asked for, as Hangfire
    /// would start it, until every row of <paramref name="batch"/> is done. A round that leaves rows pending without
    /// asking for a run fails the test: those rows would be stranded until the sweep.
    /// </summary>
    private async Task DrainAsync(IReadOnlyList<DeliverOutboxJob> instances, IReadOnlyList<OutboxMessage> batch)
    {
        var ids = batch.Select(m => m.Id).ToList();
        for (var runs = 0; runs < 1000; runs++)
        {
            await RunAsync(instances);
            var pending = await _app.ExecuteDbContextAsync(db => db.OutboxMessages.CountAsync(
                m => ids.Contains(m.Id) && (m.State == OutboxState.Due || m.State == OutboxState.Scheduled || m.State == OutboxState.Sending)));
            if (pending == 0)
            {
                return;
            }
            AdvanceToNextRequestedRun();
        }
        Assert.Fail("The batch was not delivered within 1000 runs.");
    }

    private async Task RunAndAdvanceAsync(SendPacer pacer)
    {
        await RunAsync([Job(pacer)]);
        AdvanceToNextRequestedRun();
    }

    /// <summary>
    /// One run on each instance at the clock's present time, one after another, the instance that went first going
    /// last the next time. In turns rather than at once, so that each run sees what the previous one sent: two
    /// instances at once would mostly race for the same first row, and the loser's slot would go unused, which hides
    /// whether they share their rates (<see cref="OnPostgreSql.TryReserve_TwoInstancesAskingAtOnce_OnlyOneGetsTheSlot"/>
    /// asks at once).
    /// </summary>
    private async Task RunAsync(IReadOnlyList<DeliverOutboxJob> instances)
    {
        _jobs.Requests.Clear();
        for (var i = 0; i < instances.Count; i++)
        {
            await instances[(_rounds + i) % instances.Count].RunAsync(TestContext.Current.CancellationToken);
        }
        _rounds++;
        var now = _app.Time.GetUtcNow().UtcDateTime;
        // Hangfire's ScheduledState measures the delay on its own clock, a few microseconds short.
        _wakeUps.AddRange(_jobs.Requests.Select(r => now.AddMilliseconds(Math.Ceiling((r.Delay ?? TimeSpan.Zero).TotalMilliseconds))));
    }

    /// <summary>Moves the clock to the earliest run still asked for (Hangfire keeps every scheduled run until it starts).</summary>
    private void AdvanceToNextRequestedRun()
    {
        Assert.NotEmpty(_wakeUps);
        var next = _wakeUps.Min();
        _wakeUps.RemoveAll(at => at <= next);
        var now = _app.Time.GetUtcNow().UtcDateTime;
        if (next > now)
        {
            _app.Time.Advance(next - now);
        }
    }

    private static EmailOptions Settings(int perMinute, int perDomain) => new()
    {
        Smtp = { Host = "127.0.0.1", Security = SmtpSecurity.None, TimeoutSeconds = 10 },
        Pacing = { MessagesPerMinute = perMinute, PerDomainPerMinute = perDomain, MaxWaitSeconds = 0 },
    };

    private SendPacer Pacer(int perMinute, int perDomain)
    {
        var settings = Settings(perMinute, perDomain);
        settings.Smtp.Port = _smtp.Port;
        // A store of the app's kind, new for the test: a process's own on SQLite, the database's table on PostgreSQL.
        return new SendPacer(Options.Create(settings), SendPacingLanes.For(
            _app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider, _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>()));
    }

    private DeliverOutboxJob Job(SendPacer pacer) => new(
        _app.Services.GetRequiredService<IDbContextFactory<AppDbContext>>(),
        _transport,
        _gate,
        pacer,
        _jobs,
        _app.Time,
        NullLogger<DeliverOutboxJob>.Instance);

    private static OutgoingEmail Email(string to) => new([to], $"Paced test for {to}", $"Body for {to}.\r\n");

    private Task<List<OutboxMessage>> EnqueueAsync(params OutgoingEmail[] emails) => _app.ExecuteDbContextAsync(async db =>
    {
        var outbox = _app.Services.GetRequiredService<Outbox>();
        var messages = emails.Select(email => outbox.Enqueue(db, email)).ToList();
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return messages;
    });

    private List<string?> ReceivedMessageIds() =>
        _smtp.Received.Select(bytes => MimeMessage.Load(new MemoryStream(bytes), TestContext.Current.CancellationToken).MessageId).ToList();

    private Task<List<OutboxMessage>> RowsAsync(IEnumerable<OutboxMessage> messages)
    {
        var ids = messages.Select(m => m.Id).ToList();
        return _app.ExecuteDbContextAsync(db => db.OutboxMessages.AsNoTracking().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id).ToListAsync());
    }
}
