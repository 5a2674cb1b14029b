using System.Diagnostics.Metrics;
using System.Linq.Expressions;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// The <c>DisclosureDesk.Mail</c> meter: delivery outcomes by purpose, counted where the outbox records them, and
/// how far behind delivery is (due rows, the oldest one's wait), read from the outbox when metrics are collected.
/// Without a listener (telemetry off) recording costs next to nothing and the gauges never query.
/// </summary>
public sealed class OutboxMetrics
{
    public const string MeterName = "DisclosureDesk.Mail";

    private static readonly Dictionary<OutboxPurpose, KeyValuePair<string, object?>> PurposeTags =
        Enum.GetValues<OutboxPurpose>().ToDictionary(p => p, p => new KeyValuePair<string, object?>("purpose", SnakeCase(p.ToString())));

    private readonly IDbContextFactory<AppDbContext> _dbFactory;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxMetrics> _logger;
    private readonly CancellationToken _stopping;
    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _unknown;

    public OutboxMetrics(IMeterFactory meters, IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, IHostApplicationLifetime lifetime, ILogger<OutboxMetrics> logger)
    {
        _dbFactory = dbFactory;
        _time = time;
        _stopping = lifetime.ApplicationStopping;
        _logger = logger;
        var meter = meters.Create(MeterName);
        _sent = meter.CreateCounter<long>("disclosuredesk.mail.sent", "{email}", "Emails the mail server accepted.");
        _failed = meter.CreateCounter<long>("disclosuredesk.mail.failed", "{email}", "Emails given up on: refused for good, or retried for longer than the retry policy allows.");
        _retried = meter.CreateCounter<long>("disclosuredesk.mail.retried", "{email}", "Temporary delivery failures after which the email waits for another attempt.");
        _unknown = meter.CreateCounter<long>("disclosuredesk.mail.unknown", "{email}", "Attempts whose outcome cannot be known (interrupted mid-send); a person decides whether to resend.");
        meter.CreateObservableGauge("disclosuredesk.outbox.due", ObserveDue, "{email}",
            "Outbox emails whose time has come and that no delivery run has taken yet.");
        meter.CreateObservableGauge("disclosuredesk.outbox.oldest_due_age", ObserveOldestDueAge, "s",
            "How long the longest-waiting due outbox email has waited past its attempt time; 0 when none is due.");
    }

    /// <summary>Counts one recorded delivery attempt of a <paramref name="purpose"/> email that left its row in <paramref name="state"/>.</summary>
    public void Recorded(OutboxPurpose purpose, OutboxState state, DeliveryOutcome outcome)
    {
        var counter = state switch
        {
            OutboxState.Sent => _sent,
            OutboxState.Failed => _failed,
            OutboxState.Unknown => _unknown,
            // Due again after an attempt that reached the server; an abandoned attempt (the app stopping) is no retry.
            OutboxState.Due when outcome == DeliveryOutcome.Transient => _retried,
            _ => null,
        };
        counter?.Add(1, PurposeTags[purpose]);
    }

    // Both queries read the (State, NextAttemptAt) index over the due rows only; they run once per collection interval.
    private IEnumerable<Measurement<long>> ObserveDue() =>
        Observe(db => new Measurement<long>(db.OutboxMessages.Count(Due())));

    private IEnumerable<Measurement<double>> ObserveOldestDueAge() =>
        Observe(db =>
        {
            var oldest = db.OutboxMessages.Where(Due()).Min(m => (DateTime?)m.NextAttemptAt);
            var age = oldest is { } at ? Math.Max(0, (_time.GetUtcNow().UtcDateTime - at).TotalSeconds) : 0;
            return new Measurement<double>(age);
        });

    private Expression<Func<OutboxMessage, bool>> Due()
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return DeliverOutboxJob.Takeable(now, now - OutboxRetryPolicy.SendingLease);
    }

    private IEnumerable<Measurement<T>> Observe<T>(Func<AppDbContext, Measurement<T>> read) where T : struct
    {
        // The meter provider collects once more while it is disposed, after the app has stopped: that collection must
        // not open the database again (on SQLite it would recreate the WAL files in a folder being backed up or removed).
        if (_stopping.IsCancellationRequested)
        {
            return [];
        }
        try
        {
            using var db = _dbFactory.CreateDbContext();
            return [read(db)];
        }
        catch (Exception failure)
        {
            // An unreadable database is the health check's to report; a gauge without a value says as much.
            _logger.LogDebug(failure, "Outbox gauges could not be read");
            return [];
        }
    }

    private static string SnakeCase(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}
