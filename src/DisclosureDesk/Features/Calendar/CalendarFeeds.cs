using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Calendar;

/// <summary>
/// Personal calendar feeds: each user may have one secret URL listing the deadlines and pending owner follow-ups
/// of the open cases they may see, with what the Owner export profile lets out (ADR-013).
/// </summary>
public static class CalendarFeeds
{
    public const int TokenLength = SecretTokens.Length;

    public static string NewToken() => SecretTokens.New();

    public static string Hash(string token) => SecretTokens.Hash(token);

    /// <summary>Whether <paramref name="token"/> could be one this app made, so junk never reaches the database.</summary>
    public static bool IsWellFormed(string? token) => token is not null && SecretTokens.IsWellFormed(token);

    public static string Path(string token) => $"calendar/{token}.ics";

    public sealed record Status(DateTime CreatedAt, DateTime? LastUsedAt);

    public sealed record Feed(byte[] Content, string ContentType);

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, ILogger<Handler> logger)
    {
        /// <summary>The user's live feed, or null when they have none.</summary>
        public async Task<Status?> GetAsync(string userId, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await db.CalendarFeeds.AsNoTracking()
                .Where(f => f.UserId == userId && f.RevokedAt == null)
                .Select(f => new Status(f.CreatedAt, f.LastUsedAt))
                .SingleOrDefaultAsync(cancellationToken);
        }

        /// <summary>Revokes the user's live feed, if any, and makes a new one; returns its token, which is never stored.</summary>
        public async Task<string> CreateAsync(string userId, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            var token = NewToken();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var revoked = await RevokeLiveAsync(db, userId, now, cancellationToken);
            var feed = new CalendarFeed { UserId = userId, TokenHash = Hash(token), CreatedAt = now };
            db.CalendarFeeds.Add(feed);
            // A concurrent create for the same user fails here on the one-live-feed index and nothing changes.
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            logger.LogInformation("Calendar feed {FeedId} created for user {UserId}; {Revoked} earlier feed(s) revoked.", feed.Id, userId, revoked);
            return token;
        }

        /// <summary>Revokes the user's live feed; false when there was none.</summary>
        public async Task<bool> RevokeAsync(string userId, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var revoked = await RevokeLiveAsync(db, userId, time.GetUtcNow().UtcDateTime, cancellationToken);
            if (revoked > 0)
            {
                logger.LogInformation("Calendar feed of user {UserId} revoked.", userId);
            }
            return revoked > 0;
        }

        private static Task<int> RevokeLiveAsync(AppDbContext db, string userId, DateTime now, CancellationToken cancellationToken) =>
            db.CalendarFeeds
                .Where(f => f.UserId == userId && f.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.RevokedAt, now), cancellationToken);

        /// <summary>
        /// The calendar behind <paramref name="token"/>; null for a malformed, unknown or revoked token and for a
        /// disabled or unapproved user, so the caller answers all of them alike.
        /// </summary>
        public async Task<Feed?> RenderAsync(string? token, CancellationToken cancellationToken = default)
        {
            if (!IsWellFormed(token))
            {
                return null;
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var hash = Hash(token!);
            var owner = await (
                    from f in db.CalendarFeeds
                    join u in db.Users on f.UserId equals u.Id
                    where f.TokenHash == hash && f.RevokedAt == null && !u.IsDisabled
                    select new { FeedId = f.Id, u.Id, u.DisplayName, u.UserName, u.TimeZoneId })
                .AsNoTracking()
                .SingleOrDefaultAsync(cancellationToken);
            if (owner is null)
            {
                return null;
            }
            var roles = await (
                    from ur in db.UserRoles
                    join r in db.Roles on ur.RoleId equals r.Id
                    where ur.UserId == owner.Id
                    select r.Name)
                .ToListAsync(cancellationToken);
            var isAdministrator = roles.Contains(Roles.Administrator);
            if (!isAdministrator && !roles.Contains(Roles.Researcher))
            {
                return null;
            }
            var zone = UserTimeZones.Find(owner.TimeZoneId);
            var user = new CurrentUser(owner.Id, owner.DisplayName ?? owner.UserName ?? owner.Id, isAdministrator, IsApproved: true, zone);

            var now = time.GetUtcNow().UtcDateTime;
            var cases = db.CasesVisibleTo(user).Where(c => c.ClosedAt == null && c.FirstNotifiedAt != null);
            var caseList = await cases.AsNoTracking().OrderBy(c => c.Reference).ToListAsync(cancellationToken);
            var followUps = (await db.OutboxMessages.AsNoTracking()
                    .Where(m => m.Purpose == OutboxPurpose.OwnerFollowUp && OutboxStates.NotYetSent.Contains(m.State)
                                && cases.Select(c => (int?)c.Id).Contains(m.CaseId))
                    .Select(m => new OutboxMessage { Id = m.Id, CaseId = m.CaseId, Purpose = m.Purpose, State = m.State, DueAt = m.DueAt })
                    .ToListAsync(cancellationToken))
                .ToLookup(m => m.CaseId);
            var items = caseList.SelectMany(c => CaseCalendar.For(c, c.Title, followUps[c.Id], ExportProfile.Owner, zone));

            using var stream = new MemoryStream();
            IcsCaseExport.Write(items, "DisclosureDesk deadlines", now, stream);
            await db.CalendarFeeds.Where(f => f.Id == owner.FeedId)
                .ExecuteUpdateAsync(s => s.SetProperty(f => f.LastUsedAt, now), cancellationToken);
            return new Feed(stream.ToArray(), ExportFormat.Ics.ContentType());
        }
    }
}
