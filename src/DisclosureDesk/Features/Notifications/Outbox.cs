using System.Net.Mail;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Hangfire;
using Microsoft.Extensions.Options;
using MimeKit;
using MimeKit.Utils;

namespace DisclosureDesk.Features.Notifications;

/// <summary>A rendered email before it becomes MIME: the part a template produces.</summary>
/// <param name="To">One or more recipient addresses.</param>
/// <param name="DedupKey">For emails derived from state by a recurring job: written at most once (see <see cref="OutboxMessage.DedupKey"/>).</param>
/// <param name="CampaignRecipientId">For campaign emails: the recipient whose state the delivery result moves.</param>
public sealed record OutgoingEmail(
    IReadOnlyList<string> To,
    string Subject,
    string TextBody,
    int? CaseId = null,
    OutboxPurpose Purpose = OutboxPurpose.OwnerNotification,
    string? DedupKey = null,
    long? CampaignRecipientId = null);

/// <summary>
/// Turns rendered emails into outbox rows and triggers their delivery. Rows are added to the caller's context,
/// so an email exists exactly when the case change that caused it was committed.
/// </summary>
public sealed class Outbox(IOptions<EmailOptions> options, TimeProvider time, IBackgroundJobClient jobs)
{
    /// <summary>
    /// Adds the message to <paramref name="db"/> (the caller saves it with its own changes, then calls
    /// <see cref="Dispatch"/>). Without <paramref name="dueAt"/> the message is due now.
    /// </summary>
    public OutboxMessage Enqueue(AppDbContext db, OutgoingEmail email, DateTime? dueAt = null)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var recipients = email.To.Select(ParseRecipient).ToList();
        if (recipients.Count == 0)
        {
            throw new ArgumentException("An email needs at least one recipient.", nameof(email));
        }
        var from = options.Value.From;
        var messageId = MimeUtils.GenerateMessageId(from.Domain);
        var message = new MimeMessage
        {
            MessageId = messageId,
            Date = time.GetUtcNow(),
            Subject = email.Subject,
            Body = new TextPart("plain") { Text = email.TextBody, ContentTransferEncoding = ContentEncoding.QuotedPrintable },
        };
        message.From.Add(from);
        if (!string.IsNullOrWhiteSpace(options.Value.ReplyToAddress))
        {
            message.ReplyTo.Add(MailboxAddress.Parse(options.Value.ReplyToAddress));
        }
        message.To.AddRange(recipients);

        var due = dueAt is { } at && at > now ? at : now;
        var row = new OutboxMessage
        {
            CaseId = email.CaseId,
            Purpose = email.Purpose,
            DedupKey = email.DedupKey,
            CampaignRecipientId = email.CampaignRecipientId,
            To = string.Join(", ", recipients.Select(r => r.Address)),
            Subject = email.Subject,
            Content = Serialize(message),
            MessageId = messageId,
            State = due > now ? OutboxState.Scheduled : OutboxState.Due,
            CreatedAt = now,
            DueAt = due,
            NextAttemptAt = due,
            Version = Guid.NewGuid(),
        };
        db.Add(row);
        return row;
    }

    /// <summary>
    /// Asks Hangfire to deliver <paramref name="messages"/> at their times. Call only after the rows were committed,
    /// once for all the rows one change added: a delivery run takes every row that is due, so the rows due now
    /// share one job, and later rows one scheduled job per distinct time (<see cref="DeliverOutboxJob.Request"/>).
    /// </summary>
    public void Dispatch(params IEnumerable<OutboxMessage> messages) =>
        DeliverOutboxJob.Request(jobs, time.GetUtcNow().UtcDateTime, messages.Select(m => m.NextAttemptAt));

    private static MailboxAddress ParseRecipient(string address)
    {
        // System.Net.Mail is stricter than MimeKit's parser (which accepts groups and obsolete syntax), and
        // rejects line breaks, so a header cannot be injected through an address.
        if (address.Length > 254 || !MailAddress.TryCreate(address.Trim(), out var parsed) || parsed.Address != address.Trim())
        {
            throw new ArgumentException($"'{address}' is not a single email address.", nameof(address));
        }
        return new MailboxAddress(null, parsed.Address);
    }

    private static byte[] Serialize(MimeMessage message)
    {
        // CRLF, as on the wire, so the stored bytes are the bytes the server receives and the hash means something.
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        using var stream = new MemoryStream();
        message.WriteTo(format, stream);
        return stream.ToArray();
    }
}
