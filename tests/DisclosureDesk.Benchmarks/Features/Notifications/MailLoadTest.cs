using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using DisclosureDesk.Infrastructure.Jobs;
using Hangfire;
using Hangfire.Server;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace DisclosureDesk.Benchmarks.Features.Notifications;

/// <summary>
/// <c>-- --mail</c>: a load test, not a BenchmarkDotNet benchmark (one sample is 10,000 sends). In one process
/// and against one loopback SMTP sink it sends the same messages twice: with a bare MailKit loop on one
/// connection, the ceiling, and through the app's full path (outbox rows, Hangfire on jobs.db, the SMTP
/// transport), whose throughput is reported as a ratio to the ceiling. Then it measures how long an immediate
/// send takes from <see cref="Outbox.Dispatch"/> to its arrival at the sink.
/// </summary>
internal static class MailLoadTest
{
    private const int EnqueueBatchSize = 500;
    private const int WarmupCount = 200;
    private const int LatencySamples = 200;
    private static readonly TimeSpan LatencySpacing = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan PhaseLimit = TimeSpan.FromMinutes(6);

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        var count = IntArgument(args, "--count", 10_000);
        var workers = IntArgument(args, "--workers", new JobsOptions().WorkerCount);
        var poll = IntArgument(args, "--poll", new JobsOptions().QueuePollIntervalMilliseconds);
        var paced = IntArgument(args, "--paced", 0);
        var postgres = Array.IndexOf(args, "--postgres") is >= 0 and var at && at + 1 < args.Length ? args[at + 1] : null;
        output.WriteLine($"Mail load test: {count:N0} messages, Jobs:WorkerCount={workers}, Jobs:QueuePollIntervalMilliseconds={poll}, " +
                         $"{(postgres is null ? "SQLite" : "PostgreSQL")}, pacing {(paced == 0 ? "off" : $"{paced:N0} a minute, globally and per domain")}, {Environment.ProcessorCount} cores");

        await using var sink = SmtpSink.Start();
        var dataDirectory = Directory.CreateTempSubdirectory("disclosuredesk-mailbench-");
        await using var database = postgres is null ? null : await ScratchDatabase.CreateAsync(postgres);
        try
        {
            var sending = new Totals();
            var pacing = new Totals();
            using var host = BuildHost(dataDirectory.FullName, database?.ConnectionString, sink.Port, workers, poll, paced, sending, pacing);
            await using (var scope = host.Services.CreateAsyncScope())
            {
                await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
            }
            var runs = new RecordDeliveryRuns();
            GlobalJobFilters.Filters.Add(runs);
            await host.StartAsync();

            var emails = Enumerable.Range(1, count).Select(Email).ToList();

            var bare = await BareLoopAsync(host.Services, sink, emails.Take(WarmupCount).ToList());
            bare = await BareLoopAsync(host.Services, sink, emails);
            output.WriteLine($"Bare MailKit loop: {bare.Count:N0} in {bare.Elapsed.TotalSeconds:0.00} s = {bare.PerSecond:N0} msgs/s, {bare.Sessions} connection(s), duplicates {bare.Duplicates}, missing {bare.Missing}");

            await FullPathAsync(host.Services, sink, emails.Take(WarmupCount).ToList());
            runs.Reset();
            sending.Reset();
            pacing.Reset();
            var full = await FullPathAsync(host.Services, sink, emails);
            output.WriteLine($"Full path:         {full.Count:N0} in {full.Elapsed.TotalSeconds:0.00} s = {full.PerSecond:N0} msgs/s, {full.Sessions} connection(s), duplicates {full.Duplicates}, missing {full.Missing}"
                             + (full.Complete ? "" : $" (stopped after {PhaseLimit.TotalMinutes} min)"));
            output.WriteLine($"  of which enqueueing: {full.EnqueueElapsed.TotalSeconds:0.00} s (Outbox.Enqueue building the MIME {full.Rendering.TotalSeconds:0.00} s, SaveChanges {full.Saving.TotalSeconds:0.00} s, Dispatch {full.Dispatching.TotalSeconds:0.00} s); outbox rows Sent: {full.SentRows:N0}");
            output.WriteLine($"  delivery runs: {runs.Count} Hangfire jobs, busy {runs.Busy.TotalSeconds:0.00} s = {runs.Busy.TotalMilliseconds * 1000 / full.Count:0} us a message");
            output.WriteLine($"    of which in the SMTP transport (parse, send, wait for the reply): {sending.Elapsed.TotalSeconds:0.00} s = {sending.Elapsed.TotalMilliseconds * 1000 / sending.Count:0} us a message ({sending.Count:N0} sends)");
            output.WriteLine($"    the rest (page queries, claim and record statements, the loop): {(runs.Busy - sending.Elapsed).TotalMilliseconds * 1000 / full.Count:0} us a message");
            if (paced > 0)
            {
                output.WriteLine($"    of which in the pacer's lanes (taking a slot, reporting the result; waits for a slot not included): {pacing.Elapsed.TotalSeconds:0.00} s = " +
                                 $"{pacing.Elapsed.TotalMilliseconds * 1000 / full.Count:0} us a message ({pacing.Count:N0} calls)");
            }
            output.WriteLine($"Ratio full/bare: {full.PerSecond / bare.PerSecond:0.000} (target >= 0.8)");

            var latencies = await DispatchToArrivalAsync(host.Services, sink);
            output.WriteLine($"Dispatch-to-arrival at the sink, {latencies.Count} immediate sends {LatencySpacing.TotalMilliseconds:0} ms apart: " +
                             $"p50 {Percentile(latencies, 0.50):0} ms, p95 {Percentile(latencies, 0.95):0} ms, max {latencies.Max():0} ms (target p95 < 1000 ms)");

            await host.StopAsync();
            var met = full.Complete && full.Duplicates == 0 && full.Missing == 0;
            return met ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dataDirectory.Delete(recursive: true);
        }
    }

    private sealed record Phase(int Count, TimeSpan Elapsed, int Sessions, int Duplicates, int Missing, bool Complete)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;
        public TimeSpan EnqueueElapsed { get; init; }
        public TimeSpan Rendering { get; init; }
        public TimeSpan Saving { get; init; }
        public TimeSpan Dispatching { get; init; }
        public int SentRows { get; init; }
    }

    /// <summary>The app's registrations for data, mail and jobs, as Program.cs makes them, without the web front.</summary>
    /// <param name="postgres">A PostgreSQL database to run on (the app's tables and Hangfire's), or null for SQLite files in <paramref name="dataDirectory"/>.</param>
    /// <param name="paced">Messages a minute, globally and per domain; 0 switches pacing off.</param>
    private static IHost BuildHost(string dataDirectory, string? postgres, int smtpPort, int workers, int poll, int paced, Totals sending,
        Totals pacing)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = dataDirectory, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = postgres is null ? "Sqlite" : "PostgreSql",
            ["Database:ConnectionString"] = postgres,
            ["Database:DataDirectory"] = dataDirectory,
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = nameof(SmtpSecurity.None),
            // By default the benchmark measures the delivery path's own cost, so nothing holds it back. With --paced
            // every message goes through the pacer's lanes, timed apart from its waits for a slot (TimedLanes).
            ["Email:Pacing:MessagesPerMinute"] = paced.ToString(CultureInfo.InvariantCulture),
            ["Email:Pacing:PerDomainPerMinute"] = paced.ToString(CultureInfo.InvariantCulture),
            ["Jobs:WorkerCount"] = workers.ToString(CultureInfo.InvariantCulture),
            ["Jobs:QueuePollIntervalMilliseconds"] = poll.ToString(CultureInfo.InvariantCulture),
        });
        // A log line per delivered message on the console would measure the terminal, not the mail path.
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddData();
        builder.AddUsers();
        builder.AddCases();
        builder.AddEmail();
        // The app's own transport, with a stopwatch around each send: the benchmark's only instrument in the path.
        var transport = builder.Services.Last(d => d.ServiceType == typeof(IMailTransport));
        builder.Services.Remove(transport);
        builder.Services.AddSingleton<IMailTransport>(services =>
            new TimedTransport((IMailTransport)transport.ImplementationFactory!(services), sending));
        builder.AddJobs();
        builder.AddNotifications();
        var lanes = builder.Services.Last(d => d.ServiceType == typeof(ISendPacingLanes));
        builder.Services.Remove(lanes);
        builder.Services.AddSingleton<ISendPacingLanes>(services => new TimedLanes((ISendPacingLanes)lanes.ImplementationFactory!(services), pacing));
        return builder.Build();
    }

    private static OutgoingEmail Email(int i) => new(
        [$"owner-{i}@db{i % 97}.example"],
        $"[DD-2026-{i:00000}] Your database at 203.0.113.{i % 250} is open to the internet",
        $"""
        Hello,

        while researching exposed databases we found a MongoDB instance at 203.0.113.{i % 250}:27017 that answers
        without a password. It holds about {i * 13 % 9000 + 100} collections, including customer records.

        Please restrict access to it (bind it to localhost or require authentication). We will publish a summary
        without identifying details 45 days from today, following the CERT/CC policy.

        Reply to this email if you have questions.

        """.ReplaceLineEndings("\r\n"));

    private static async Task<Phase> BareLoopAsync(IServiceProvider services, SmtpSink sink, IReadOnlyList<OutgoingEmail> emails)
    {
        // The same bytes the outbox would store, built beforehand: the loop measures only the SMTP side.
        var outbox = services.GetRequiredService<Outbox>();
        await using var scratch = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        var messages = new List<MimeMessage>(emails.Count);
        foreach (var email in emails)
        {
            messages.Add(await MimeMessage.LoadAsync(new MemoryStream(outbox.Enqueue(scratch, email).Content)));
        }
        var expected = messages.Select(m => m.MessageId!).ToList();

        sink.Reset();
        var clock = Stopwatch.StartNew();
        using (var client = new SmtpClient())
        {
            await client.ConnectAsync("127.0.0.1", sink.Port, SecureSocketOptions.None);
            foreach (var message in messages)
            {
                await client.SendAsync(message);
            }
            await client.DisconnectAsync(quit: true);
        }
        var complete = await sink.WaitForAsync(messages.Count, PhaseLimit);
        clock.Stop();
        return Tally(sink, expected, clock.Elapsed, complete);
    }

    private static async Task<Phase> FullPathAsync(IServiceProvider services, SmtpSink sink, IReadOnlyList<OutgoingEmail> emails)
    {
        var outbox = services.GetRequiredService<Outbox>();
        var dbFactory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var expected = new List<string>(emails.Count);
        var ids = new List<long>(emails.Count);

        sink.Reset();
        long rendering = 0, saving = 0, dispatching = 0;
        var clock = Stopwatch.StartNew();
        foreach (var batch in emails.Chunk(EnqueueBatchSize))
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            var started = Stopwatch.GetTimestamp();
            var rows = batch.Select(email => outbox.Enqueue(db, email)).ToList();
            var rendered = Stopwatch.GetTimestamp();
            await db.SaveChangesAsync();
            var saved = Stopwatch.GetTimestamp();
            // As the app does after a change that added several emails: one dispatch for all of them.
            outbox.Dispatch(rows);
            rendering += rendered - started;
            saving += saved - rendered;
            dispatching += Stopwatch.GetTimestamp() - saved;
            expected.AddRange(rows.Select(row => row.MessageId));
            ids.AddRange(rows.Select(row => row.Id));
        }
        var enqueued = clock.Elapsed;
        var complete = await sink.WaitForAsync(emails.Count, PhaseLimit);
        clock.Stop();

        // The sink has every message once the last reply went out; the jobs still record their results.
        int sent;
        var settle = Stopwatch.StartNew();
        do
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            sent = await db.OutboxMessages.CountAsync(m => ids.Contains(m.Id) && m.State == OutboxState.Sent);
            if (sent < ids.Count)
            {
                await Task.Delay(100);
            }
        }
        while (sent < ids.Count && settle.Elapsed < TimeSpan.FromSeconds(30));

        return Tally(sink, expected, clock.Elapsed, complete) with
        {
            EnqueueElapsed = enqueued,
            Rendering = Stopwatch.GetElapsedTime(0, rendering),
            Saving = Stopwatch.GetElapsedTime(0, saving),
            Dispatching = Stopwatch.GetElapsedTime(0, dispatching),
            SentRows = sent,
        };
    }

    private static Phase Tally(SmtpSink sink, List<string> expected, TimeSpan elapsed, bool complete)
    {
        var seen = sink.MessageIds;
        var wanted = expected.ToHashSet(StringComparer.Ordinal);
        return new Phase(
            expected.Count,
            elapsed,
            sink.Sessions,
            Duplicates: seen.Values.Sum(n => n - 1) + seen.Keys.Count(id => !wanted.Contains(id)),
            Missing: expected.Count(id => !seen.ContainsKey(id)),
            complete);
    }

    private static async Task<List<double>> DispatchToArrivalAsync(IServiceProvider services, SmtpSink sink)
    {
        var outbox = services.GetRequiredService<Outbox>();
        var dbFactory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        var dispatched = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < LatencySamples; i++)
        {
            await using (var db = await dbFactory.CreateDbContextAsync())
            {
                var row = outbox.Enqueue(db, Email(100_000 + i));
                await db.SaveChangesAsync();
                dispatched[row.MessageId] = Stopwatch.GetTimestamp();
                outbox.Dispatch(row);
            }
            await Task.Delay(LatencySpacing);
        }
        var waited = Stopwatch.StartNew();
        while (dispatched.Keys.Any(id => !sink.Arrivals.ContainsKey(id)) && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }
        return dispatched
            .Select(d => sink.Arrivals.TryGetValue(d.Key, out var arrived) ? Stopwatch.GetElapsedTime(d.Value, arrived).TotalMilliseconds : double.PositiveInfinity)
            .Order()
            .ToList();
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Ceiling(p * sorted.Count) - 1];

    private static int IntArgument(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>
    /// Counts the delivery runs Hangfire performs and measures the time during which at least one of them was
    /// performing (runs queue on the app's one-at-a-time gate, so their own times overlap): the rest of the
    /// phase is Hangfire fetching jobs and changing their states, and waiting for the next poll.
    /// </summary>
    private sealed class RecordDeliveryRuns : IServerFilter
    {
        private readonly Lock _gate = new();
        private long _busyTicks;
        private long _busySince;
        private int _active;
        private int _count;

        public TimeSpan Busy
        {
            get
            {
                lock (_gate)
                {
                    // A run may still be finishing (its last empty query) when the phase is over.
                    return Stopwatch.GetElapsedTime(0, _busyTicks + (_active > 0 ? Stopwatch.GetTimestamp() - _busySince : 0));
                }
            }
        }

        /// <summary>Runs started since the last reset.</summary>
        public int Count => Volatile.Read(ref _count);

        public void Reset()
        {
            lock (_gate)
            {
                _busyTicks = 0;
                _busySince = Stopwatch.GetTimestamp();
                _count = 0;
            }
        }

        public void OnPerforming(PerformingContext context)
        {
            if (context.BackgroundJob.Job.Type == typeof(DeliverOutboxJob))
            {
                context.Items[nameof(RecordDeliveryRuns)] = true;
                lock (_gate)
                {
                    _count++;
                    if (_active++ == 0)
                    {
                        _busySince = Stopwatch.GetTimestamp();
                    }
                }
            }
        }

        public void OnPerformed(PerformedContext context)
        {
            if (context.Items.ContainsKey(nameof(RecordDeliveryRuns)))
            {
                lock (_gate)
                {
                    if (--_active == 0)
                    {
                        _busyTicks += Stopwatch.GetTimestamp() - _busySince;
                    }
                }
            }
        }
    }

    /// <summary>The pacer's lane store with a stopwatch around each change: in memory on SQLite, a locked row per lane on PostgreSQL.</summary>
    private sealed class TimedLanes(ISendPacingLanes inner, Totals totals) : ISendPacingLanes
    {
        public async Task<T> ChangeAsync<T>(IReadOnlyList<string> names, DateTime now, Func<IReadOnlyList<SendPacingLane>, T> change, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                return await inner.ChangeAsync(names, now, change, cancellationToken);
            }
            finally
            {
                totals.Add(Stopwatch.GetTimestamp() - started);
            }
        }

        public Task<IReadOnlyList<SendPacingLane>> ReadAsync(DateTime now, CancellationToken cancellationToken) => inner.ReadAsync(now, cancellationToken);

        public Task ForgetIdleAsync(DateTime now, DateTime failuresSince, CancellationToken cancellationToken) => inner.ForgetIdleAsync(now, failuresSince, cancellationToken);
    }

    /// <summary>The app's transport with a stopwatch around each send.</summary>
    private sealed class TimedTransport(IMailTransport inner, Totals totals) : IMailTransport, IDisposable
    {
        public bool ResendIsHarmless => inner.ResendIsHarmless;

        public void Dispose() => (inner as IDisposable)?.Dispose();

        public async Task<DeliveryResult> SendAsync(ReadOnlyMemory<byte> message, string messageId, CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                return await inner.SendAsync(message, messageId, cancellationToken);
            }
            finally
            {
                totals.Add(Stopwatch.GetTimestamp() - started);
            }
        }
    }

    /// <summary>Time spent in calls to an instrumented part, and how many calls, from several threads.</summary>
    private sealed class Totals
    {
        private long _ticks;
        private int _count;

        public TimeSpan Elapsed => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks));

        public int Count => Volatile.Read(ref _count);

        public void Add(long ticks)
        {
            Interlocked.Add(ref _ticks, ticks);
            Interlocked.Increment(ref _count);
        }

        public void Reset()
        {
            Interlocked.Exchange(ref _ticks, 0);
            Interlocked.Exchange(ref _count, 0);
        }
    }
}
