using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Hangfire;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Responses.Mail;

/// <summary>
/// Reads the messages that arrived in the configured folder since the last poll (by UID, above the stored watermark)
/// and hands each to <see cref="IngestInboundMail"/>. The folder is opened read-only: the mailbox is the researcher's,
/// and nothing is flagged, moved or deleted. A message that cannot be read is quarantined and the batch goes on.
/// </summary>
[DisableConcurrentExecution(timeoutInSeconds: 10 * 60)]
public sealed class PollInboundMailJob(
    IDbContextFactory<AppDbContext> dbFactory,
    IngestInboundMail.Handler ingest,
    IOptions<InboundOptions> options,
    ILogger<PollInboundMailJob> logger)
{
    public sealed record Summary(int Read, int Matched, int Unmatched, int Quarantined, int Duplicates);

    public async Task<Summary> RunAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return new Summary(0, 0, 0, 0, 0);
        }
        using var client = new ImapClient { Timeout = settings.Imap.TimeoutSeconds * 1000 };
        await client.ConnectAsync(settings.Imap.Host!, settings.Imap.Port, Socket(settings.Imap.Security), cancellationToken);
        await client.AuthenticateAsync(settings.Imap.UserName!, settings.Imap.Password!, cancellationToken);
        var folder = string.Equals(settings.Folder, "INBOX", StringComparison.OrdinalIgnoreCase)
            ? client.Inbox
            : await client.GetFolderAsync(settings.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);

        long lastUid;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var state = await db.InboundFolders.AsNoTracking().SingleOrDefaultAsync(f => f.Name == folder.FullName, cancellationToken);
            // A new UIDVALIDITY means the server renumbered the folder: read it all again; the Message-ID dedupe keeps that harmless.
            lastUid = state is not null && state.UidValidity == folder.UidValidity ? state.LastUid : 0;
        }

        var summary = new Summary(0, 0, 0, 0, 0);
        if (lastUid >= uint.MaxValue)
        {
            return summary;
        }
        var range = new UniqueIdRange(new UniqueId(folder.UidValidity, (uint)lastUid + 1), UniqueId.MaxValue);
        // "n:*" always includes the newest message even when its UID is below n, hence the filter.
        var uids = (await folder.SearchAsync(SearchQuery.Uids(range), cancellationToken))
            .Where(uid => uid.Id > lastUid)
            .OrderBy(uid => uid.Id)
            .Take(settings.BatchSize)
            .ToList();
        if (uids.Count == 0)
        {
            return summary;
        }
        var items = await folder.FetchAsync(uids, MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.Envelope, cancellationToken);
        foreach (var item in items.OrderBy(i => i.UniqueId.Id))
        {
            var source = new IngestInboundMail.Source(folder.FullName, folder.UidValidity, item.UniqueId.Id);
            var result = await ReadOneAsync(folder, item, source, settings, cancellationToken);
            summary = result switch
            {
                IngestInboundMail.Result.Matched => summary with { Read = summary.Read + 1, Matched = summary.Matched + 1 },
                IngestInboundMail.Result.Unmatched => summary with { Read = summary.Read + 1, Unmatched = summary.Unmatched + 1 },
                IngestInboundMail.Result.Quarantined => summary with { Read = summary.Read + 1, Quarantined = summary.Quarantined + 1 },
                _ => summary with { Read = summary.Read + 1, Duplicates = summary.Duplicates + 1 },
            };
        }
        await client.DisconnectAsync(quit: true, cancellationToken);
        logger.LogInformation("Read {Read} messages from {Folder}: {Matched} on cases, {Unmatched} for triage, {Quarantined} quarantined, {Duplicates} already known",
            summary.Read, folder.FullName, summary.Matched, summary.Unmatched, summary.Quarantined, summary.Duplicates);
        return summary;
    }

    private async Task<IngestInboundMail.Result> ReadOneAsync(IMailFolder folder, IMessageSummary item, IngestInboundMail.Source source, InboundOptions settings, CancellationToken cancellationToken)
    {
        if (item.Size is { } size && size > settings.MaxMessageBytes)
        {
            return await ingest.QuarantineOversizeAsync(source, size, item.Envelope?.MessageId, item.Envelope?.From?.ToString(),
                item.Envelope?.Subject, settings.MaxMessageBytes, cancellationToken);
        }
        byte[] raw;
        using (var buffer = new MemoryStream())
        {
            await using var stream = await folder.GetStreamAsync(item.UniqueId, cancellationToken);
            await stream.CopyToAsync(buffer, cancellationToken);
            raw = buffer.ToArray();
        }
        try
        {
            return await ingest.IngestAsync(source, raw, cancellationToken);
        }
        catch (Exception failure) when (failure is not OperationCanceledException)
        {
            // Whatever this message does to the code, it must not hold up the messages behind it. If even the
            // quarantine cannot be written, the exception ends the poll and the watermark stays before this message.
            logger.LogWarning(failure, "Message {Uid} in {Folder} could not be stored; quarantining it", source.Uid, source.Folder);
            return await ingest.QuarantineAsync(source, raw, $"The message could not be stored: {failure.GetType().Name}: {failure.Message}", cancellationToken);
        }
    }

    private static SecureSocketOptions Socket(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };
}
