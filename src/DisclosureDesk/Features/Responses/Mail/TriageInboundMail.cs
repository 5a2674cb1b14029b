using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace DisclosureDesk.Features.Responses.Mail;

/// <summary>
/// The messages the mailbox job could not place: a researcher puts one on a case they may see (where it is recorded
/// exactly as if it had been threaded automatically) or discards it with a reason. Both are kept: who, when, why.
/// </summary>
public static class TriageInboundMail
{
    public sealed record Row(long Id, InboundState State, InboundKind? Kind, string? From, string? Subject, DateTime? SentAt, DateTime ReceivedAt,
        long Length, string? Classification, string? Error, bool CanAssign);

    public sealed class DiscardForm
    {
        [Required(ErrorMessage = "Say why this message belongs to no case.")]
        [StringLength(CaseLimits.LongTextLength, ErrorMessage = "The reason can be at most {1} characters.")]
        public string Reason { get; set; } = "";
    }

    public sealed class Handler(
        IDbContextFactory<AppDbContext> dbFactory,
        CaseWriter writer,
        InboundProtector protector,
        IngestInboundMail.Handler ingest,
        TimeProvider time)
    {
        public const int PageSize = 100;

        /// <summary>Unmatched and quarantined messages, oldest first (the longest waiting).</summary>
        public async Task<IReadOnlyList<Row>> ListAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var rows = await db.InboundMessages.AsNoTracking()
                .Where(m => m.State == InboundState.Unmatched || m.State == InboundState.Quarantined)
                .OrderBy(m => m.State).ThenBy(m => m.ReceivedAt).ThenBy(m => m.Id)
                .Take(PageSize)
                .Select(m => new Row(m.Id, m.State, m.Kind, m.From, m.Subject, m.SentAt, m.ReceivedAt, m.Length, m.Classification, m.Error,
                    m.State == InboundState.Unmatched && m.Ciphertext != null))
                .ToListAsync(cancellationToken);
            return rows;
        }

        /// <summary>The message's readable text, for deciding where it belongs; null when it has none to show.</summary>
        public async Task<string?> ReadAsync(long id, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var row = await db.InboundMessages.AsNoTracking()
                .Where(m => m.Id == id && m.State == InboundState.Unmatched && m.Ciphertext != null)
                .Select(m => m.Ciphertext)
                .SingleOrDefaultAsync(cancellationToken);
            return row is null ? null : InboundMailText.PlainBody(MimeMessage.Load(new MemoryStream(protector.Unprotect(row)), cancellationToken));
        }

        /// <summary>
        /// Puts an unmatched message on a case the user may see: as evidence, and as a response or a bounce by what it is.
        /// The claim is one conditional update in the case's transaction, so two researchers cannot both assign it.
        /// </summary>
        public async Task<CommandResult> AssignAsync(long id, string reference, CurrentUser user, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(user);
            if (string.IsNullOrWhiteSpace(reference))
            {
                return CommandResult.Fail("Enter the case the message belongs to.", "Reference");
            }
            return await writer.ChangeAsync(reference.Trim().ToUpperInvariant(), user, async (db, @case, now) =>
            {
                var claimed = await db.InboundMessages
                    .Where(m => m.Id == id && m.State == InboundState.Unmatched && m.Ciphertext != null)
                    .ExecuteUpdateAsync(u => u.SetProperty(m => m.State, InboundState.Assigned), cancellationToken);
                if (claimed == 0)
                {
                    return CommandResult.Fail("This message is no longer waiting for triage.");
                }
                var row = await db.InboundMessages.SingleAsync(m => m.Id == id, cancellationToken);
                var raw = protector.Unprotect(row.Ciphertext!);
                var message = MimeMessage.Load(new MemoryStream(raw), cancellationToken);
                var classification = InboundMailClassifier.Classify(message);
                var source = new IngestInboundMail.Source(row.Folder, row.UidValidity, row.Uid);
                row.Evidence = ingest.AddEvidence(db, @case, now, source, raw, row.Sha256!, message);
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.InboundMailTriaged,
                    $"Email from {row.From} (\"{row.Subject}\", received {row.ReceivedAt:yyyy-MM-dd HH:mm} UTC) put on this case from the triage page.",
                    EventVisibility.Internal);
                await ingest.RecordOnCaseAsync(db, @case, now, message, classification, cancellationToken);
                await ingest.MoveCampaignRecipientAsync(db, @case, now, message, classification, threadedRecipientId: null, cancellationToken);
                row.CaseId = @case.Id;
                row.MatchedBy = InboundMatch.Manual;
                row.Ciphertext = null;
                row.TriagedById = user.Id;
                row.TriagedByName = user.Name;
                row.TriagedAt = now;
                return CommandResult.Success;
            }, cancellationToken);
        }

        /// <summary>Marks a waiting message as belonging to no case. Its encrypted bytes stay: nothing read is thrown away.</summary>
        public async Task<CommandResult> DiscardAsync(long id, DiscardForm form, CurrentUser user, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(form);
            ArgumentNullException.ThrowIfNull(user);
            var errors = ModelValidation.Validate(form);
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            var discarded = await db.InboundMessages
                .Where(m => m.Id == id && (m.State == InboundState.Unmatched || m.State == InboundState.Quarantined))
                .ExecuteUpdateAsync(u => u
                    .SetProperty(m => m.State, InboundState.Discarded)
                    .SetProperty(m => m.DiscardReason, form.Reason.Trim())
                    .SetProperty(m => m.TriagedById, user.Id)
                    .SetProperty(m => m.TriagedByName, user.Name)
                    .SetProperty(m => m.TriagedAt, now), cancellationToken);
            return discarded == 0 ? CommandResult.Fail("This message is no longer waiting for triage.") : CommandResult.Success;
        }
    }
}
