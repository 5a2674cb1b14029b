using System.Linq.Expressions;
using System.Security.Cryptography;
using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Delivers the outbox rows that are due, one after another over the transport's reused connection, so Hangfire's
/// cost (fetching a job and changing its state, each a write to its storage) is paid per batch, not per email.
/// Safe to run any number of times, also at once (Hangfire runs a job at least once; every dispatch, retry and
/// sweep asks for a run): each row is claimed on its own, with an optimistic-concurrency token, immediately before
/// it is sent, and only the run whose claim succeeded sends it.
/// </summary>
/// <remarks>
/// The claim is committed before the message's first byte goes out, and only the row about to be sent is claimed.
/// So if the process dies, at most the one row on the wire is left in Sending (and later shown as Unknown, ADR-007);
/// the rows after it are still Due for the next run. When the app stops, the run finishes the message on the wire,
/// claims nothing more, and ends cancelled, which makes Hangfire put the job back in its queue for after the restart.
/// </remarks>
public sealed class DeliverOutboxJob(
    IDbContextFactory<AppDbContext> dbFactory,
    IMailTransport transport,
    OutboxDeliveryGate gate,
    SendPacer pacer,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<DeliverOutboxJob> logger,
    OutboxMetrics? metrics = null)
{
    /// <summary>Rows one run takes on at most; if more are due it hands them to a fresh run, so other jobs get a worker too.</summary>
    public const int BatchSize = 1000;

    /// <summary>
    /// How long a stopping app lets the message on the wire finish. A healthy server answers in milliseconds; after
    /// this the attempt is abandoned (back to Due if its end was not yet written, Unknown if it was). Shorter than
    /// Hangfire's 15-second shutdown timeout, so the run can still record the result.
    /// </summary>
    public static readonly TimeSpan InFlightGrace = TimeSpan.FromSeconds(10);

    /// <summary>Attempt times this close together share one scheduled run (the later one's time).</summary>
    public static readonly TimeSpan WakeUpSlack = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long one run may spend waiting for sending slots in all; then a fresh run takes over, so a paced campaign
    /// hands its Hangfire worker around instead of holding it for as long as the campaign lasts.
    /// </summary>
    public static readonly TimeSpan MaxIdlePerRun = TimeSpan.FromSeconds(30);

    private const int PageSize = 100;
    private const int MaxRecordAttempts = 5;

    /// <summary>
    /// Asks Hangfire for a run at each of <paramref name="attemptTimes"/>: one at once if any has come, and one
    /// scheduled run per group of later times (a run delivers everything due, so one per distinct time suffices).
    /// </summary>
    public static void Request(IBackgroundJobClient jobs, DateTime now, IEnumerable<DateTime> attemptTimes)
    {
        var later = new List<DateTime>();
        var dueNow = false;
        foreach (var at in attemptTimes)
        {
            if (at <= now)
            {
                dueNow = true;
            }
            else
            {
                later.Add(at);
            }
        }
        if (dueNow)
        {
            jobs.Enqueue<DeliverOutboxJob>(job => job.RunAsync(CancellationToken.None));
        }
        later.Sort();
        for (var i = 0; i < later.Count;)
        {
            var first = later[i];
            var last = first;
            for (; i < later.Count && later[i] - first <= WakeUpSlack; i++)
            {
                last = later[i];
            }
            jobs.Schedule<DeliverOutboxJob>(job => job.RunAsync(CancellationToken.None), last - now);
        }
    }

    /// <param name="cancellationToken">Hangfire's: cancelled when the server stops (or the job is deleted).</param>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // Runs queue up here rather than exit: one that exited could miss a row committed just as the run ahead of
        // it found nothing more to do.
        using var turn = await gate.EnterAsync(cancellationToken);
        var retries = new List<DateTime>();
        var taken = new HashSet<long>();
        var more = false;
        DateTime? pacedUntil = null;
        // The message on the wire is given InFlightGrace after a stop request before its attempt is abandoned.
        using var inFlight = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        await using var stopping = cancellationToken.Register(() => inFlight.CancelAfter(InFlightGrace));
        try
        {
            // One context and one open connection for the whole run: the page query tracks nothing and the per-row
            // statements are plain commands, so the context holds no state from one row to the next.
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.Database.OpenConnectionAsync(CancellationToken.None);
            await using var statements = await RowStatements.PrepareAsync(db);
            // A pass reads the due rows in order, page after page, passing over those whose domain has no free slot
            // yet; it ends at the last due row, or where the global rate has no free slot (no row could go before it).
            Position? after = null;
            DateTime? waitUntil = null;
            var domainsBusy = new Dictionary<string, DateTime>(StringComparer.Ordinal);
            var idle = TimeSpan.Zero;
            var sentInPass = false;
            while (!cancellationToken.IsCancellationRequested)
            {
                if (taken.Count >= BatchSize)
                {
                    more = true;
                    break;
                }
                var page = await DueAsync(db, after, cancellationToken);
                var globalBusy = false;
                foreach (var row in page)
                {
                    if (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }
                    if (taken.Contains(row.Id))
                    {
                        after = new Position(row.NextAttemptAt, row.Id);
                        continue;
                    }
                    if (await PaceAsync(row, domainsBusy, cancellationToken) is { } refusal)
                    {
                        waitUntil = waitUntil is { } w && w < refusal.NotBefore ? w : refusal.NotBefore;
                        if (refusal.Global)
                        {
                            globalBusy = true;
                            break;
                        }
                        after = new Position(row.NextAttemptAt, row.Id);
                        continue;
                    }
                    after = new Position(row.NextAttemptAt, row.Id);
                    taken.Add(row.Id);
                    sentInPass = true;
                    if (await DeliverAsync(statements, row, inFlight.Token) is { } retryAt)
                    {
                        retries.Add(retryAt);
                    }
                    if (taken.Count >= BatchSize)
                    {
                        break;
                    }
                }
                if (cancellationToken.IsCancellationRequested || (page.Count == PageSize && !globalBusy) || taken.Count >= BatchSize)
                {
                    continue;
                }
                if (waitUntil is not { } slot)
                {
                    // A last pass from the start picks up rows that fell due behind this one; a pass that found nothing ends the run.
                    if (!sentInPass)
                    {
                        break;
                    }
                    after = null;
                    sentInPass = false;
                    domainsBusy.Clear();
                    continue;
                }
                var wait = slot - time.GetUtcNow().UtcDateTime;
                if (wait > pacer.MaxWait)
                {
                    pacedUntil = slot;
                    break;
                }
                if (idle + wait > MaxIdlePerRun)
                {
                    // The slot is near but this run has waited enough: a fresh run takes over, and other jobs get the worker in between.
                    more = true;
                    break;
                }
                if (wait > TimeSpan.Zero)
                {
                    try
                    {
                        await Task.Delay(wait, time, cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                    idle += wait;
                }
                // Waiting for the global slot: go on from the row that waited. Otherwise start a new pass, since rows
                // passed over for their domain may have a slot by now.
                if (!globalBusy)
                {
                    after = null;
                    sentInPass = false;
                    domainsBusy.Clear();
                }
                waitUntil = null;
            }
        }
        finally
        {
            var now = time.GetUtcNow().UtcDateTime;
            IEnumerable<DateTime> wakeUps = retries;
            if (more)
            {
                wakeUps = wakeUps.Append(now);
            }
            if (pacedUntil is { } paced)
            {
                wakeUps = wakeUps.Append(paced);
            }
            Request(jobs, now, wakeUps);
        }
        // Ending cancelled (not successfully) is what makes Hangfire requeue the job when its server stops.
        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Takes a sending slot for <paramref name="row"/>, or says when it could have one. Domains found busy earlier in
    /// the pass are remembered, so the rest of a long run of rows to one busy domain is passed over without asking.
    /// </summary>
    private async Task<SendPacer.Refusal?> PaceAsync(Candidate row, Dictionary<string, DateTime> domainsBusy, CancellationToken cancellationToken)
    {
        // A row left in Sending by an interrupted attempt is not sent again (it becomes Unknown), so it needs no slot.
        if (!pacer.IsActive || (row.State == OutboxState.Sending && !transport.ResendIsHarmless))
        {
            return null;
        }
        var now = time.GetUtcNow().UtcDateTime;
        var busy = row.Domains.Where(d => domainsBusy.TryGetValue(d, out var until) && until > now).ToList();
        if (busy.Count > 0)
        {
            return new SendPacer.Refusal(busy.Max(d => domainsBusy[d]), Global: false, busy);
        }
        var refusal = await pacer.TryReserveAsync(row.Domains, now, cancellationToken);
        if (refusal is { Global: false })
        {
            foreach (var domain in refusal.BlockedDomains)
            {
                domainsBusy[domain] = refusal.NotBefore;
            }
        }
        return refusal;
    }

    private sealed record Position(DateTime NextAttemptAt, long Id);

    /// <summary>What a run needs of a row to claim, send and record it.</summary>
    private sealed record Candidate(
        long Id, Guid Version, OutboxState State, int? CaseId, OutboxPurpose Purpose, string To, string MessageId, byte[] Content, int Attempts, DateTime DueAt, DateTime NextAttemptAt, string? LastError)
    {
        public IReadOnlyList<string> Domains { get; } = SendPacer.Domains(To);
    }

    /// <summary>What a delivery attempt did to a row.</summary>
    private sealed record Resolution(OutboxState State, int Attempts, DateTime NextAttemptAt, DateTime? SentAt, string? Sha256, string? LastError)
    {
        public bool IsFinal => State is OutboxState.Sent or OutboxState.Failed or OutboxState.Unknown;
    }

    /// <summary>The next page of rows a run would take, in order, after <paramref name="after"/> (from the start when null).</summary>
    private Task<List<Candidate>> DueAsync(AppDbContext db, Position? after, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var claimLapsed = now - OutboxRetryPolicy.SendingLease;
        var due = db.OutboxMessages.AsNoTracking().Where(Takeable(now, claimLapsed));
        if (after is { } position)
        {
            due = due.Where(m => m.NextAttemptAt > position.NextAttemptAt || (m.NextAttemptAt == position.NextAttemptAt && m.Id > position.Id));
        }
        return due
            .OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id)
            .Take(PageSize)
            .Select(m => new Candidate(m.Id, m.Version, m.State, m.CaseId, m.Purpose, m.To, m.MessageId, m.Content, m.Attempts, m.DueAt, m.NextAttemptAt, m.LastError))
            .ToListAsync(cancellationToken);
    }

    /// <summary>
    /// Rows a run would take: due or scheduled by <paramref name="dueBy"/>, or held in Sending by a claim made by
    /// <paramref name="claimedBy"/> (one that outlived <see cref="OutboxRetryPolicy.SendingLease"/>).
    /// </summary>
    public static Expression<Func<OutboxMessage, bool>> Takeable(DateTime dueBy, DateTime claimedBy) =>
        m => ((m.State == OutboxState.Due || m.State == OutboxState.Scheduled) && m.NextAttemptAt <= dueBy)
             || (m.State == OutboxState.Sending && m.ClaimedAt <= claimedBy);

    /// <summary>Claims, sends and records one row; returns its retry time, if it has one.</summary>
    private async Task<DateTime?> DeliverAsync(RowStatements statements, Candidate row, CancellationToken inFlight)
    {
        var claimedAt = time.GetUtcNow().UtcDateTime;
        var claim = Guid.NewGuid();
        if (!await statements.ClaimAsync(row.Id, row.Version, claim, claimedAt))
        {
            logger.LogDebug("Outbox message {Id} was claimed or changed by someone else", row.Id);
            return null;
        }

        var result = row.State == OutboxState.Sending && !transport.ResendIsHarmless
            ? new DeliveryResult(DeliveryOutcome.Unknown,
                "A previous delivery attempt was interrupted (the app stopped while sending); it may or may not have reached the server.")
            : await transport.SendAsync(row.Content, row.MessageId, inFlight);

        var now = time.GetUtcNow().UtcDateTime;
        var resolution = Resolve(row, row.Attempts + 1, result, now);
        // Only what the owner (or those escalated to) were sent is proof of notification; the team's own reminders stay off the chain.
        var recorded = row.CaseId is { } caseId && row.Purpose.IsNoticeOnRecord() && resolution.IsFinal
            ? await RecordOnCaseAsync(row, caseId, claim, resolution, result)
            : await statements.RecordAsync(row.Id, claim, resolution);
        // Only once the outcome is stored: the pacer's state may live in the database (ADR-027), and a failure to
        // update it must not leave the row in Sending.
        await pacer.ReportAsync(row.Domains, result, now, CancellationToken.None);
        if (!recorded)
        {
            logger.LogWarning("Outbox message {Id} was reclaimed while being sent; its result {Outcome} is not recorded", row.Id, result.Outcome);
            return null;
        }
        metrics?.Recorded(row.Purpose, resolution.State, result.Outcome);
        logger.LogInformation("Outbox message {Id} ({MessageId}) attempt {Attempt}: {Outcome} {Detail}",
            row.Id, row.MessageId, resolution.Attempts, result.Outcome, result.Detail);
        return resolution.State == OutboxState.Due ? resolution.NextAttemptAt : null;
    }

    private static Resolution Resolve(Candidate row, int attempts, DeliveryResult result, DateTime now)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(row.Content));
        var detail = Truncate(result.Detail);
        var unchanged = row.NextAttemptAt;
        return result.Outcome switch
        {
            DeliveryOutcome.Delivered => new Resolution(OutboxState.Sent, attempts, unchanged, now, sha256, null),
            DeliveryOutcome.Transient => OutboxRetryPolicy.NextAttempt(attempts, row.DueAt, now) is { } next
                ? new Resolution(OutboxState.Due, attempts, next, null, null, detail)
                : new Resolution(OutboxState.Failed, attempts, unchanged, null, null,
                    Truncate($"Gave up after {attempts} attempts over {OutboxRetryPolicy.GiveUpAfter.TotalDays:0} days. Last error: {result.Detail}")),
            DeliveryOutcome.Permanent => new Resolution(OutboxState.Failed, attempts, unchanged, null, null, detail),
            // Nothing reached the server: the row is as it was before the claim, due at once for the next run.
            DeliveryOutcome.Abandoned => new Resolution(OutboxState.Due, attempts - 1, now, null, null, row.LastError),
            _ => new Resolution(OutboxState.Unknown, attempts, unchanged, null, sha256, detail),
        };
    }

    /// <summary>
    /// The two statements a run repeats for every row, prepared once on the run's connection: the claim, and the
    /// record of an outcome that needs no timeline entry. Parameters get the provider's own type mappings, so a Guid
    /// or a DateTime is stored exactly as EF stores it (TEXT on SQLite, uuid and timestamptz on PostgreSQL).
    /// </summary>
    private sealed class RowStatements : IAsyncDisposable
    {
        private readonly PreparedStatement _claim;
        private readonly PreparedStatement _record;

        private RowStatements(PreparedStatement claim, PreparedStatement record)
        {
            _claim = claim;
            _record = record;
        }

        public static async Task<RowStatements> PrepareAsync(AppDbContext db)
        {
            var claim = await PreparedStatement.PrepareAsync(db, """
                UPDATE "OutboxMessages" SET "State" = @state, "ClaimedAt" = @claimedAt, "Attempts" = "Attempts" + 1, "Version" = @claim
                WHERE "Id" = @id AND "Version" = @version
                """,
                ("@state", typeof(int)), ("@claimedAt", typeof(DateTime)), ("@claim", typeof(Guid)), ("@id", typeof(long)), ("@version", typeof(Guid)));
            var record = await PreparedStatement.PrepareAsync(db, """
                UPDATE "OutboxMessages" SET "State" = @state, "Attempts" = @attempts, "NextAttemptAt" = @nextAttemptAt, "SentAt" = @sentAt,
                    "Sha256" = @sha256, "LastError" = @lastError, "ClaimedAt" = NULL, "Version" = @version
                WHERE "Id" = @id AND "Version" = @claim
                """,
                ("@state", typeof(int)), ("@attempts", typeof(int)), ("@nextAttemptAt", typeof(DateTime)), ("@sentAt", typeof(DateTime)),
                ("@sha256", typeof(string)), ("@lastError", typeof(string)), ("@version", typeof(Guid)), ("@id", typeof(long)), ("@claim", typeof(Guid)));
            return new RowStatements(claim, record);
        }

        /// <summary>Takes the row if it still carries <paramref name="version"/>; the claim is committed on return.</summary>
        public async Task<bool> ClaimAsync(long id, Guid version, Guid claim, DateTime claimedAt)
        {
            _claim.Set("@state", (int)OutboxState.Sending);
            _claim.Set("@claimedAt", claimedAt);
            _claim.Set("@claim", claim);
            _claim.Set("@id", id);
            _claim.Set("@version", version);
            // Not cancellable: once the statement has run, this run must know it holds the claim, or the row would be
            // left in Sending by a run that thinks it never took it.
            return await _claim.ExecuteAsync(CancellationToken.None) == 1;
        }

        /// <summary>Stores the outcome, provided the row still carries this run's claim.</summary>
        public async Task<bool> RecordAsync(long id, Guid claim, Resolution resolution)
        {
            _record.Set("@state", (int)resolution.State);
            _record.Set("@attempts", resolution.Attempts);
            _record.Set("@nextAttemptAt", resolution.NextAttemptAt);
            _record.Set("@sentAt", resolution.SentAt);
            _record.Set("@sha256", resolution.Sha256);
            _record.Set("@lastError", resolution.LastError);
            _record.Set("@version", Guid.NewGuid());
            _record.Set("@id", id);
            _record.Set("@claim", claim);
            return await _record.ExecuteAsync(CancellationToken.None) == 1;
        }

        public async ValueTask DisposeAsync()
        {
            await _claim.DisposeAsync();
            await _record.DisposeAsync();
        }
    }

    /// <summary>
    /// Stores the final outcome of an email to a case's owner and appends it to the case's audit chain in the same transaction.
    /// Another writer may move the case's head meanwhile; then the whole record is redone on fresh data.
    /// </summary>
    private async Task<bool> RecordOnCaseAsync(Candidate candidate, int caseId, Guid claim, Resolution resolution, DeliveryResult result)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
            var row = await db.OutboxMessages.SingleAsync(m => m.Id == candidate.Id, CancellationToken.None);
            if (row.Version != claim)
            {
                return false;
            }
            var now = time.GetUtcNow().UtcDateTime;
            row.State = resolution.State;
            row.Attempts = resolution.Attempts;
            row.SentAt = resolution.SentAt;
            row.Sha256 = resolution.Sha256;
            row.LastError = resolution.LastError;
            row.ClaimedAt = null;
            row.Version = Guid.NewGuid();
            var @case = await db.Cases.SingleAsync(c => c.Id == caseId, CancellationToken.None);
            CaseTimeline.Append(db, @case, Actor.System, now, EventType(row.State), Describe(row, result));
            if (row.CampaignRecipientId is { } recipientId && CampaignEventOf(row.State) is { } happened
                && await CampaignMail.ApplyAsync(db, recipientId, happened, now, row.State == OutboxState.Failed ? row.LastError : null, CancellationToken.None) is { } change)
            {
                CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.CampaignChanged, change);
            }
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
                return true;
            }
            catch (DbUpdateException conflict) when (conflict.IsWriteConflict() && attempt < MaxRecordAttempts)
            {
                await transaction.RollbackAsync(CancellationToken.None);
            }
        }
    }

    private static CampaignEvent? CampaignEventOf(OutboxState state) => state switch
    {
        OutboxState.Sent => CampaignEvent.Delivered,
        OutboxState.Failed => CampaignEvent.DeliveryFailed,
        _ => null,
    };

    private static TimelineEventType EventType(OutboxState state) => state switch
    {
        OutboxState.Sent => TimelineEventType.EmailSent,
        OutboxState.Failed => TimelineEventType.EmailFailed,
        _ => TimelineEventType.EmailOutcomeUnknown,
    };

    private static string Describe(OutboxMessage row, DeliveryResult result)
    {
        var outcome = row.State switch
        {
            OutboxState.Sent => "accepted by the server",
            OutboxState.Failed => "failed",
            _ => "outcome unknown, not resent",
        };
        return $"Email to {row.To}, subject \"{row.Subject}\", Message-ID {row.MessageId}: {outcome} " +
               $"after {row.Attempts} attempt(s). Server: {result.Detail}. SHA-256 of the message: {row.Sha256 ?? Convert.ToHexStringLower(SHA256.HashData(row.Content))}.";
    }

    private static string Truncate(string text) => text.Length > OutboxLimits.ErrorLength ? text[..OutboxLimits.ErrorLength] : text;
}

