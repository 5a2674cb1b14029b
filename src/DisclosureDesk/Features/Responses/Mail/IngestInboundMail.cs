using DisclosureDesk.Components.Shared;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DisclosureDesk.Features.Responses.Mail;

/// <summary>
/// Stores one message read from the mailbox: classifies it, threads it into its case (In-Reply-To/References against
/// the outbox's Message-IDs, then the case reference in the subject) and records it there, or keeps it, encrypted, for
/// triage. Each message is one transaction that also moves the folder's UID watermark, so the watermark never passes a
/// message that was not stored, and a message read twice is recognised by its Message-ID and adds nothing.
/// </summary>
public static class IngestInboundMail
{
    /// <summary>Where a message was read from.</summary>
    public sealed record Source(string Folder, long UidValidity, long Uid);

    public enum Result
    {
        Matched,
        Unmatched,
        Quarantined,
        Duplicate,
    }

    /// <summary>How far in the future a Date header may be before it is not believed (clocks of mail servers drift).</summary>
    private static readonly TimeSpan DateSkew = TimeSpan.FromHours(1);

    public sealed class Handler(
        IDbContextFactory<AppDbContext> dbFactory,
        CaseWriter writer,
        ManageEvidence.Handler evidence,
        InboundProtector inboundProtector,
        IOptions<CaseOptions> caseOptions,
        TimeProvider time)
    {
        public async Task<Result> IngestAsync(Source source, byte[] raw, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(source);
            ArgumentNullException.ThrowIfNull(raw);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(raw));
            MimeMessage message;
            InboundClassification classification;
            try
            {
                message = MimeMessage.Load(new MemoryStream(raw, writable: false), cancellationToken);
                classification = InboundMailClassifier.Classify(message);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                return await QuarantineAsync(source, raw, $"The message could not be parsed: {failure.Message}", cancellationToken);
            }

            var key = DedupKey(message.MessageId, sha256);
            var thread = await ThreadAsync(message, classification, cancellationToken);
            if (thread is null)
            {
                return await StoreUnmatchedAsync(source, key, message, classification, sha256, raw, cancellationToken);
            }

            var duplicate = false;
            var outcome = await writer.ChangeAsSystemAsync(thread.Value.CaseId, async (db, @case, now) =>
            {
                if (await db.InboundMessages.AnyAsync(m => m.DedupKey == key, cancellationToken))
                {
                    duplicate = true;
                    await AdvanceAsync(db, source, now, cancellationToken);
                    return CommandResult.Success;
                }
                var evidence = AddEvidence(db, @case, now, source, raw, sha256, message);
                await RecordOnCaseAsync(db, @case, now, message, classification, cancellationToken);
                if (thread.Value.RecipientId is { } recipientId)
                {
                    await MoveCampaignRecipientAsync(db, @case, now, message, classification, recipientId, cancellationToken);
                }
                var row = Describe(source, key, message, classification, sha256, raw.Length, now);
                row.State = InboundState.Matched;
                row.CaseId = @case.Id;
                row.MatchedBy = thread.Value.By;
                row.Evidence = evidence;
                db.InboundMessages.Add(row);
                await AdvanceAsync(db, source, now, cancellationToken);
                return CommandResult.Success;
            }, cancellationToken);
            if (!outcome.Succeeded)
            {
                // The case vanished between threading and writing: keep the message for a person to place.
                return await StoreUnmatchedAsync(source, key, message, classification, sha256, raw, cancellationToken);
            }
            return duplicate ? Result.Duplicate : Result.Matched;
        }

        /// <summary>Keeps a message that could not be processed, encrypted, with the reason, for the triage page.</summary>
        public Task<Result> QuarantineAsync(Source source, byte[] raw, string error, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(raw);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(raw));
            return QuarantineAsync(source, sha256, null, sha256, raw.Length, null, null, raw, error, cancellationToken);
        }

        /// <summary>Records a message too large to download: only what the server said about it.</summary>
        public Task<Result> QuarantineOversizeAsync(Source source, long length, string? messageId, string? from, string? subject, long limit, CancellationToken cancellationToken = default) =>
            QuarantineAsync(source, DedupKey(messageId, $"oversize:{source.Folder}:{source.UidValidity}:{source.Uid}"), messageId, null, length, from, subject, null,
                string.Create(CultureInfo.InvariantCulture, $"The message is {length:N0} bytes, over the {limit:N0}-byte limit (Inbound:MaxMessageBytes); it was not downloaded."),
                cancellationToken);

        /// <summary>Moves the watermark past a message that cannot be stored at all, so it does not block the folder.</summary>
        public async Task SkipAsync(Source source, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await AdvanceAsync(db, source, time.GetUtcNow().UtcDateTime, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        private async Task<(int CaseId, InboundMatch By, long? RecipientId)?> ThreadAsync(MimeMessage message, InboundClassification classification, CancellationToken cancellationToken)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var ids = classification.OriginalMessageIds.Where(id => id.Length <= 998).Take(50).ToList();
            if (ids.Count > 0)
            {
                var sent = await db.OutboxMessages.AsNoTracking()
                    .Where(m => m.CaseId != null && ids.Contains(m.MessageId))
                    .Select(m => new { m.MessageId, m.CaseId, m.CampaignRecipientId })
                    .ToListAsync(cancellationToken);
                var first = sent.OrderBy(m => ids.IndexOf(m.MessageId)).FirstOrDefault();
                if (first is not null)
                {
                    // A campaign email threads to its recipient too: only that recipient's state moves.
                    return (first.CaseId!.Value, InboundMatch.MessageId, first.CampaignRecipientId);
                }
            }
            var references = CaseReferences(message.Subject ?? "", caseOptions.Value.ReferencePrefix);
            if (references.Count == 0)
            {
                return null;
            }
            var cases = await db.Cases.AsNoTracking()
                .Where(c => references.Contains(c.Reference))
                .Select(c => new { c.Reference, c.Id })
                .ToListAsync(cancellationToken);
            var named = cases.OrderBy(c => references.IndexOf(c.Reference)).FirstOrDefault();
            return named is null ? null : (named.Id, InboundMatch.SubjectReference, null);
        }

        private async Task<Result> StoreUnmatchedAsync(Source source, string key, MimeMessage message, InboundClassification classification, string sha256, byte[] raw, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var row = Describe(source, key, message, classification, sha256, raw.Length, now);
            row.State = InboundState.Unmatched;
            row.Ciphertext = inboundProtector.Protect(raw);
            return await StoreAloneAsync(source, row, Result.Unmatched, cancellationToken);
        }

        private Task<Result> QuarantineAsync(Source source, string key, string? messageId, string? sha256, long length, string? from, string? subject, byte[]? raw, string error, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var row = new InboundMessage
            {
                DedupKey = key,
                MessageId = Wording.Clip(messageId, InboundLimits.TextLength),
                Folder = source.Folder,
                UidValidity = source.UidValidity,
                Uid = source.Uid,
                Sha256 = sha256,
                Length = length,
                From = Wording.Clip(from, InboundLimits.TextLength),
                Subject = Wording.Clip(subject, InboundLimits.TextLength),
                ReceivedAt = now,
                State = InboundState.Quarantined,
                Error = Wording.Clip(error, CaseLimits.LongTextLength),
                Ciphertext = raw is null ? null : inboundProtector.Protect(raw),
            };
            return StoreAloneAsync(source, row, Result.Quarantined, cancellationToken);
        }

        private async Task<Result> StoreAloneAsync(Source source, InboundMessage row, Result result, CancellationToken cancellationToken)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            var duplicate = await db.InboundMessages.AnyAsync(m => m.DedupKey == row.DedupKey, cancellationToken);
            if (!duplicate)
            {
                db.InboundMessages.Add(row);
            }
            await AdvanceAsync(db, source, now, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return duplicate ? Result.Duplicate : result;
        }

        internal EvidenceFile AddEvidence(AppDbContext db, Case @case, DateTime now, Source source, byte[] raw, string sha256, MimeMessage message)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"email-{source.UidValidity}-{source.Uid}.eml");
            return evidence.Attach(db, @case, Actor.System, now, new ManageEvidence.CheckedFile(name, "message/rfc822", raw, sha256),
                EvidenceKind.Correspondence, Wording.Clip($"Email from {Sender(message)} read from the mailbox: {message.Subject}", CaseLimits.LongTextLength), redacted: false);
        }

        /// <summary>What the message means for the case: a response (a person's, or an automatic one), or a bounce.</summary>
        internal async Task RecordOnCaseAsync(AppDbContext db, Case @case, DateTime now, MimeMessage message, InboundClassification classification, CancellationToken cancellationToken)
        {
            if (classification.Kind == InboundKind.DeliveryFailure)
            {
                RecordBounce(db, @case, now, classification);
                await PauseMailToDeadAddressesAsync(db, @case, now, cancellationToken);
                return;
            }
            var sentAt = message.Headers.Contains(HeaderId.Date) ? message.Date.UtcDateTime : (DateTime?)null;
            var respondedAt = sentAt is { } date && date > DateTime.UnixEpoch && date <= now + DateSkew ? date : now;
            var subject = string.IsNullOrWhiteSpace(message.Subject) ? "(no subject)" : message.Subject.Trim();
            await LogResponse.Handler.RecordAsync(db, @case, Actor.System, now, new LogResponse.Recorded(
                ResponseChannel.Email,
                classification.Kind == InboundKind.AutomaticReply ? ResponseMeaning.AutomaticReply : ResponseMeaning.Other,
                Wording.Clip(Sender(message), CaseLimits.NameLength)!,
                respondedAt,
                Wording.Clip($"Email: {subject}", CaseLimits.LongTextLength)!,
                Wording.Clip(InboundMailText.PlainBody(message), ResponseLimits.VerbatimLength),
                EventVisibility.Owner), cancellationToken);
        }

        /// <summary>What a threaded message means for a campaign recipient; a delay is not a bounce and moves nothing.</summary>
        /// <summary>
        /// Moves a campaign recipient by what the message is (a reply, an automatic reply or a permanent bounce), with the
        /// change on the umbrella case's trail: the recipient threading found, else the one on this case whose address
        /// sent the reply or bounced, when exactly one has it (a message put on a campaign by hand carries no thread).
        /// </summary>
        internal async Task MoveCampaignRecipientAsync(AppDbContext db, Case @case, DateTime now, MimeMessage message, InboundClassification classification,
            long? threadedRecipientId, CancellationToken cancellationToken)
        {
            if (CampaignEventOf(classification) is not { } happened)
            {
                return;
            }
            var addresses = classification.Kind == InboundKind.DeliveryFailure
                ? classification.Bounced.Select(b => b.Address)
                : message.From.Mailboxes.Select(m => m.Address);
            var recipientId = threadedRecipientId ?? await RecipientByAddressAsync(db, @case.Id, addresses, cancellationToken);
            if (recipientId is { } id
                && await CampaignMail.ApplyAsync(db, id, happened, now, Wording.Clip($"{Sender(message)}: {message.Subject}", CaseLimits.LongTextLength), cancellationToken) is { } change)
            {
                CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.CampaignChanged, change);
            }
        }

        private static async Task<long?> RecipientByAddressAsync(AppDbContext db, int caseId, IEnumerable<string> addresses, CancellationToken cancellationToken)
        {
            var keys = addresses.Select(a => a.Trim().ToLowerInvariant()).Where(a => a.Length > 0).Distinct().Take(50).ToList();
            if (keys.Count == 0)
            {
                return null;
            }
            // The key is the address as first listed; a corrected address is only in Email.
            var matches = await db.CampaignRecipients.AsNoTracking()
                .Where(r => r.CaseId == caseId && (keys.Contains(r.Key) || (r.Email != null && keys.Contains(r.Email.ToLower()))))
                .Select(r => r.Id)
                .Take(2)
                .ToListAsync(cancellationToken);
            return matches is [var only] ? only : null;
        }

        private static CampaignEvent? CampaignEventOf(InboundClassification classification) => classification.Kind switch
        {
            InboundKind.HumanReply => CampaignEvent.Replied,
            InboundKind.AutomaticReply => CampaignEvent.AutoReplied,
            InboundKind.DeliveryFailure when classification.Severity == BounceSeverity.Permanent => CampaignEvent.Bounced,
            _ => null,
        };

        private static void RecordBounce(AppDbContext db, Case @case, DateTime now, InboundClassification classification)
        {
            var text = new StringBuilder();
            if (classification.Bounced.Count == 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"A delivery failure came back ({classification.Reason}) but names no recipient.");
            }
            foreach (var bounced in classification.Bounced)
            {
                var detail = Wording.Clip(string.Join(" ", new[] { bounced.Status, bounced.Diagnostic }.Where(s => !string.IsNullOrEmpty(s))), CaseLimits.LongTextLength);
                var contacts = @case.Contacts.Where(c => string.Equals(c.Email, bounced.Address, StringComparison.OrdinalIgnoreCase)).ToList();
                foreach (var contact in contacts)
                {
                    // A delay never hides an earlier permanent failure: the address is still dead.
                    if (bounced.Severity == BounceSeverity.Permanent || contact.Bouncing != BounceSeverity.Permanent)
                    {
                        contact.Bouncing = bounced.Severity;
                        contact.BouncedAt = now;
                        contact.BounceDetail = detail;
                    }
                }
                text.Append(bounced.Severity == BounceSeverity.Permanent
                    ? $"Mail to {bounced.Address} bounced permanently"
                    : $"Mail to {bounced.Address} is delayed; the sending server keeps trying");
                text.Append(string.IsNullOrEmpty(detail) ? "." : $" ({detail}).");
                text.Append(contacts.Count == 0 ? " No contact of the case has this address. "
                    : bounced.Severity == BounceSeverity.Permanent ? " The contact is marked as bouncing: choose another contact. "
                    : " The contact is marked as temporarily bouncing. ");
            }
            CaseTimeline.Append(db, @case, Actor.System, now, TimelineEventType.EmailBounced, text.ToString().Trim(), EventVisibility.Internal);
        }

        /// <summary>
        /// Cancels the scheduled follow-ups whose every recipient bounced permanently: they could only bounce again. A
        /// follow-up that still reaches someone stays; the researcher adds another contact from the Notification panel.
        /// </summary>
        private static async Task PauseMailToDeadAddressesAsync(AppDbContext db, Case @case, DateTime now, CancellationToken cancellationToken)
        {
            var dead = @case.Contacts.Where(c => c.Bouncing == BounceSeverity.Permanent && c.Email is not null)
                .Select(c => c.Email!).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (dead.Count == 0)
            {
                return;
            }
            await FollowUpSchedule.CancelAsync(db, @case, Actor.System, now,
                "every recipient bounced permanently. Add another contact for the owner.", cancellationToken,
                m => m.To.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).All(dead.Contains));
        }

        private static InboundMessage Describe(Source source, string key, MimeMessage message, InboundClassification classification, string sha256, long length, DateTime now)
        {
            var bounced = classification.Bounced.Count == 0 ? ""
                : "; " + string.Join(", ", classification.Bounced.Select(b => $"{b.Address} {b.Severity.ToString().ToLowerInvariant()}{(b.Status is null ? "" : " " + b.Status)}"));
            return new InboundMessage
            {
                DedupKey = key,
                MessageId = Wording.Clip(message.MessageId, InboundLimits.TextLength),
                Folder = source.Folder,
                UidValidity = source.UidValidity,
                Uid = source.Uid,
                Sha256 = sha256,
                Length = length,
                From = Wording.Clip(message.From.ToString(), InboundLimits.TextLength),
                Subject = Wording.Clip(message.Subject, InboundLimits.TextLength),
                SentAt = message.Headers.Contains(HeaderId.Date) ? message.Date.UtcDateTime : null,
                ReceivedAt = now,
                Kind = classification.Kind,
                Classification = Wording.Clip(classification.Reason + bounced, CaseLimits.LongTextLength),
            };
        }

        private static async Task AdvanceAsync(AppDbContext db, Source source, DateTime now, CancellationToken cancellationToken)
        {
            var folder = await db.InboundFolders.SingleOrDefaultAsync(f => f.Name == source.Folder, cancellationToken);
            if (folder is null)
            {
                folder = new InboundFolder { Name = source.Folder };
                db.InboundFolders.Add(folder);
            }
            if (folder.UidValidity != source.UidValidity)
            {
                folder.UidValidity = source.UidValidity;
                folder.LastUid = 0;
            }
            folder.LastUid = Math.Max(folder.LastUid, source.Uid);
            folder.LastPolledAt = now;
        }
    }

    /// <summary>Case references in a subject, e.g. <c>[DD-2026-00001]</c>, in order of appearance.</summary>
    public static List<string> CaseReferences(string subject, string prefix) =>
        Regex.Matches(subject, $@"(?<![A-Za-z0-9]){Regex.Escape(prefix)}-\d{{4}}-\d{{5}}(?!\d)", RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1))
            .Select(m => m.Value.ToUpperInvariant())
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>The Message-ID identifies a message however often it is delivered or copied; the bytes do when it has none.</summary>
    public static string DedupKey(string? messageId, string sha256) =>
        string.IsNullOrWhiteSpace(messageId)
            ? sha256
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("message-id:" + messageId.Trim())));

    private static string Sender(MimeMessage message) =>
        message.From.Mailboxes.FirstOrDefault() is { } from
            ? (string.IsNullOrWhiteSpace(from.Name) ? from.Address : $"{from.Name} <{from.Address}>")
            : message.Sender?.Address ?? "(unknown sender)";
}
