using System.Globalization;
using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// The outbox as a person may see it: the emails of the cases they can see, and, for administrators only, the
/// account emails (password resets, confirmations), which belong to no case. Newest first, keyset-paged on
/// (CreatedAt, Id) so a deep page costs what the first one does.
/// </summary>
public static class ListOutbox
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 200;

    public sealed record Query
    {
        public OutboxState? State { get; set; }

        /// <summary>Opaque position from a previous page; null for the first page.</summary>
        public string? Cursor { get; set; }
        public int PageSize { get; set; } = DefaultPageSize;
    }

    /// <param name="CaseReference">Null for an account email.</param>
    public sealed record Row(
        long Id,
        DateTime CreatedAt,
        DateTime DueAt,
        DateTime? SentAt,
        OutboxState State,
        string To,
        string Subject,
        string? CaseReference,
        int Attempts,
        string? LastError,
        string MessageId,
        string? Sha256,
        OutboxPurpose Purpose);

    public sealed record Page(IReadOnlyList<Row> Rows, string? NextCursor, string? PreviousCursor);

    /// <summary>The stored message exactly as it is sent, and a file name made only of the case reference and the id.</summary>
    public sealed record Download(string FileName, byte[] Content);

    /// <summary>
    /// What the pacer holds back of the mail a person may see: how many messages are due and waiting for a sending
    /// slot, and the lanes (overall, and the recipient domains of those messages) that are busy or slowed down.
    /// </summary>
    public sealed record Pacing(PacingSnapshot Settings, int Waiting, LaneState? Global, IReadOnlyList<LaneState> Domains);

    /// <summary>At most this many waiting messages are read for their domains; the page shows the first few lanes anyway.</summary>
    private const int PacedDomainSample = 1000;

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, SendPacer pacer, TimeProvider time)
    {
        /// <summary>Null when sending is not paced (no SMTP server, or no rate set).</summary>
        public async Task<Pacing?> PacingAsync(CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (!pacer.IsActive)
            {
                return null;
            }
            var now = time.GetUtcNow().UtcDateTime;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var due = MessagesVisibleTo(db, user).AsNoTracking()
                .Where(m => (m.State == OutboxState.Due || m.State == OutboxState.Scheduled) && m.NextAttemptAt <= now);
            var waiting = await due.CountAsync(cancellationToken);
            var recipients = await due.OrderBy(m => m.NextAttemptAt).ThenBy(m => m.Id).Select(m => m.To).Take(PacedDomainSample).ToListAsync(cancellationToken);
            // Only the domains of mail this person may see: other cases' recipients are not theirs to know.
            var domains = recipients.SelectMany(SendPacer.Domains).ToHashSet(StringComparer.Ordinal);
            var snapshot = await pacer.SnapshotAsync(now, cancellationToken);
            var global = snapshot.Global.NextSlot is not null || snapshot.Global.Slowed ? snapshot.Global : null;
            return new Pacing(snapshot, waiting, global, [.. snapshot.Domains.Where(lane => domains.Contains(lane.Name))]);
        }

        public async Task<Page> HandleAsync(Query query, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
            var filtered = MessagesVisibleTo(db, user).AsNoTracking();
            if (query.State is { } state)
            {
                filtered = filtered.Where(m => m.State == state);
            }
            var cursor = Cursor.Parse(query.Cursor);
            var backwards = cursor?.Backwards == true;
            if (cursor is not null)
            {
                var at = cursor.CreatedAt;
                var id = cursor.Id;
                // The redundant bound on CreatedAt alone gives the database a range to seek; the pair
                // comparison alone is an OR it cannot.
                filtered = backwards
                    ? filtered.Where(m => m.CreatedAt >= at && (m.CreatedAt > at || m.Id > id))
                    : filtered.Where(m => m.CreatedAt <= at && (m.CreatedAt < at || m.Id < id));
            }
            var ordered = backwards
                ? filtered.OrderBy(m => m.CreatedAt).ThenBy(m => m.Id)
                : filtered.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id);
            var rows = await ordered
                .Take(pageSize + 1)
                .Select(m => new Row(m.Id, m.CreatedAt, m.DueAt, m.SentAt, m.State, m.To, m.Subject,
                    db.Cases.Where(c => c.Id == m.CaseId).Select(c => c.Reference).FirstOrDefault(),
                    m.Attempts, m.LastError, m.MessageId, m.Sha256, m.Purpose))
                .ToListAsync(cancellationToken);

            var hasMore = rows.Count > pageSize;
            if (hasMore)
            {
                rows.RemoveAt(rows.Count - 1);
            }
            if (backwards)
            {
                rows.Reverse();
            }
            if (rows.Count == 0)
            {
                return new Page(rows, null, null);
            }
            var hasNext = backwards ? cursor is not null : hasMore;
            var hasPrevious = backwards ? hasMore : cursor is not null;
            return new Page(
                rows,
                hasNext ? new Cursor(false, rows[^1].CreatedAt, rows[^1].Id).Encode() : null,
                hasPrevious ? new Cursor(true, rows[0].CreatedAt, rows[0].Id).Encode() : null);
        }

        /// <summary>The stored message, or null when there is none the user may see.</summary>
        public async Task<Download?> DownloadAsync(long id, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var found = await MessagesVisibleTo(db, user).AsNoTracking()
                .Where(m => m.Id == id)
                .Select(m => new
                {
                    m.Content,
                    Reference = db.Cases.Where(c => c.Id == m.CaseId).Select(c => c.Reference).FirstOrDefault(),
                })
                .SingleOrDefaultAsync(cancellationToken);
            return found is null
                ? null
                : new Download(string.Create(CultureInfo.InvariantCulture, $"{found.Reference ?? "account"}-{id}.eml"), found.Content);
        }

        /// <summary>
        /// The message as text a person can read: its headers, then its text body. Null when there is none the
        /// user may see. An HTML-only body is returned as its source, never for rendering.
        /// </summary>
        public async Task<string?> ReadAsync(long id, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var download = await DownloadAsync(id, user, cancellationToken);
            if (download is null)
            {
                return null;
            }
            using var stream = new MemoryStream(download.Content, writable: false);
            var message = await MimeMessage.LoadAsync(stream, cancellationToken);
            var text = new StringBuilder();
            foreach (var header in message.Headers)
            {
                text.Append(header.Field).Append(": ").AppendLine(header.Value);
            }
            text.AppendLine().Append(message.TextBody ?? message.HtmlBody ?? "");
            return text.ToString();
        }
    }

    /// <summary>The one rule of who sees an outbox message; the list, the text and the download all start here.</summary>
    private static IQueryable<OutboxMessage> MessagesVisibleTo(AppDbContext db, CurrentUser user)
    {
        if (user.IsAdministrator)
        {
            return db.OutboxMessages;
        }
        var cases = db.CasesVisibleTo(user).Select(c => c.Id);
        return db.OutboxMessages.Where(m => m.CaseId != null && cases.Contains(m.CaseId.Value));
    }

    private sealed record Cursor(bool Backwards, DateTime CreatedAt, long Id)
    {
        public string Encode() => Convert.ToBase64String(Encoding.UTF8.GetBytes(
                string.Create(CultureInfo.InvariantCulture, $"{(Backwards ? 1 : 0)}|{CreatedAt.Ticks}|{Id}")))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        /// <summary>A mangled cursor is ignored: the list restarts at page 1.</summary>
        public static Cursor? Parse(string? encoded)
        {
            if (string.IsNullOrEmpty(encoded))
            {
                return null;
            }
            try
            {
                var base64 = encoded.Replace('-', '+').Replace('_', '/');
                base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('|');
                return parts.Length == 3
                       && parts[0] is "0" or "1"
                       && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTime.MaxValue.Ticks
                       && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
                    ? new Cursor(parts[0] == "1", new DateTime(ticks, DateTimeKind.Utc), id)
                    : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}
