using System.Security.Cryptography;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Hangfire;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Delivers one outbox row. Safe to run any number of times for the same id (Hangfire runs a job at least once,
/// and the sweep may enqueue a row Hangfire already has): only the run that claims the row sends it.
/// </summary>
public sealed class DeliverOutboxMessageJob(
    IDbContextFactory<AppDbContext> dbFactory,
    IMailTransport transport,
    IBackgroundJobClient jobs,
    TimeProvider time,
    ILogger<DeliverOutboxMessageJob> logger)
{
    private const int MaxRecordAttempts = 5;

    public async Task RunAsync(long outboxMessageId, CancellationToken cancellationToken)
    {
        var claim = await ClaimAsync(outboxMessageId, cancellationToken);
        if (claim is null)
        {
            return;
        }
        var result = claim.Interrupted && !transport.ResendIsHarmless
            ? new DeliveryResult(DeliveryOutcome.Unknown,
                "A previous delivery attempt was interrupted (the app stopped while sending); it may or may not have reached the server.")
            : await transport.SendAsync(claim.Content, claim.MessageId, cancellationToken);
        await RecordAsync(outboxMessageId, claim, result, cancellationToken);
    }

    private sealed record Claim(Guid Version, byte[] Content, string MessageId, bool Interrupted);

    private async Task<Claim?> ClaimAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var row = await db.OutboxMessages.SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        if (row is null || !IsClaimable(row, now))
        {
            return null;
        }
        var interrupted = row.State == OutboxState.Sending;
        row.State = OutboxState.Sending;
        row.ClaimedAt = now;
        row.Attempts++;
        row.Version = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            logger.LogDebug("Outbox message {Id} was claimed by another delivery job", id);
            return null;
        }
        return new Claim(row.Version, row.Content, row.MessageId, interrupted);
    }

    private static bool IsClaimable(OutboxMessage row, DateTime now) => row.State switch
    {
        OutboxState.Due or OutboxState.Scheduled => row.NextAttemptAt <= now,
        OutboxState.Sending => row.ClaimedAt is { } claimedAt && claimedAt + OutboxRetryPolicy.SendingLease <= now,
        _ => false,
    };

    /// <summary>
    /// Stores the outcome and, for an email to a case's owner, appends it to the case's audit chain in the same transaction.
    /// Another writer may move the case's head meanwhile; then the whole record is redone on fresh data.
    /// </summary>
    private async Task RecordAsync(long id, Claim claim, DeliveryResult result, CancellationToken cancellationToken)
    {
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(claim.Content));
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var row = await db.OutboxMessages.SingleAsync(m => m.Id == id, cancellationToken);
            if (row.Version != claim.Version)
            {
                logger.LogWarning("Outbox message {Id} was reclaimed while being sent; its result {Outcome} is not recorded", id, result.Outcome);
                return;
            }
            var now = time.GetUtcNow().UtcDateTime;
            var retryAt = Apply(row, result, sha256, now);
            // Only what the owner was sent is proof of notification; the team's own reminders stay off the chain.
            if (row.CaseId is { } caseId && row.Purpose.IsToOwner() && row.State is OutboxState.Sent or OutboxState.Failed or OutboxState.Unknown)
            {
                var @case = await db.Cases.SingleAsync(c => c.Id == caseId, cancellationToken);
                CaseTimeline.Append(db, @case, Actor.System, now, EventType(row.State), Describe(row, result));
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
            catch (DbUpdateException conflict) when (conflict.IsWriteConflict() && attempt < MaxRecordAttempts)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }
            logger.LogInformation("Outbox message {Id} ({MessageId}) attempt {Attempt}: {Outcome} {Detail}",
                id, row.MessageId, row.Attempts, result.Outcome, result.Detail);
            if (retryAt is { } at)
            {
                jobs.Schedule<DeliverOutboxMessageJob>(job => job.RunAsync(id, CancellationToken.None), at - now);
            }
            return;
        }
    }

    /// <summary>Moves the row to the state <paramref name="result"/> calls for; returns the retry time, if any.</summary>
    private static DateTime? Apply(OutboxMessage row, DeliveryResult result, string sha256, DateTime now)
    {
        DateTime? retryAt = null;
        row.ClaimedAt = null;
        row.Version = Guid.NewGuid();
        row.LastError = Truncate(result.Detail);
        switch (result.Outcome)
        {
            case DeliveryOutcome.Delivered:
                row.State = OutboxState.Sent;
                row.SentAt = now;
                row.Sha256 = sha256;
                row.LastError = null;
                break;
            case DeliveryOutcome.Transient when OutboxRetryPolicy.NextAttempt(row.Attempts, row.DueAt, now) is { } next:
                row.State = OutboxState.Due;
                row.NextAttemptAt = next;
                retryAt = next;
                break;
            case DeliveryOutcome.Transient:
                row.State = OutboxState.Failed;
                row.LastError = Truncate($"Gave up after {row.Attempts} attempts over {OutboxRetryPolicy.GiveUpAfter.TotalDays:0} days. Last error: {result.Detail}");
                break;
            case DeliveryOutcome.Permanent:
                row.State = OutboxState.Failed;
                break;
            default:
                row.State = OutboxState.Unknown;
                row.Sha256 = sha256;
                break;
        }
        return retryAt;
    }

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
