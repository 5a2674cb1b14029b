using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// The lanes as rows of <c>SendPacingLanes</c>, shared by every instance on the database (ADR-027). A change is one
/// short transaction that locks the lanes' rows (<c>SELECT … FOR UPDATE</c>), so two instances asking for a slot at
/// once are served one after the other and never both get it; a slowdown written by one is what the next caller,
/// on any instance, reads. Every time stored is the app's (its <see cref="TimeProvider"/>), never the database's.
/// </summary>
public sealed class PostgreSqlSendPacingLanes(IDbContextFactory<AppDbContext> dbFactory) : ISendPacingLanes
{
    /// <summary>A lane can be forgotten between its creation and its lock; after this many tries something else is wrong.</summary>
    private const int MaxAttempts = 5;

    public async Task<T> ChangeAsync<T>(IReadOnlyList<string> names, DateTime now, Func<IReadOnlyList<SendPacingLane>, T> change, CancellationToken cancellationToken)
    {
        var wanted = names.ToArray();
        now = DateTime.SpecifyKind(now, DateTimeKind.Utc);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            Dictionary<string, SendPacingLane> found;
            await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
            {
                // Every caller locks its rows in the same order (by name), so two callers never wait for each other crosswise.
                found = await db.SendPacingLanes
                    .FromSql($"""SELECT * FROM "SendPacingLanes" WHERE "Name" = ANY({wanted}) ORDER BY "Name" FOR UPDATE""")
                    .ToDictionaryAsync(lane => lane.Name, StringComparer.Ordinal, cancellationToken);
                if (found.Count == wanted.Length)
                {
                    var result = change([.. wanted.Select(name => found[name])]);
                    await db.SaveChangesAsync(cancellationToken);
                    await transaction.CommitAsync(cancellationToken);
                    return result;
                }
            }
            db.ChangeTracker.Clear();
            // New lanes are committed at rest on their own, outside any lock, and then locked like the others. In name
            // order too: two callers inserting the same two new lanes in opposite orders would wait for each other.
            var missing = wanted.Where(name => !found.ContainsKey(name)).ToArray();
            await db.Database.ExecuteSqlAsync($"""
                INSERT INTO "SendPacingLanes" ("Name", "NextSlot", "Share", "Failures")
                SELECT name, {now}, 1, ARRAY[]::timestamp with time zone[] FROM unnest({missing}) AS name ORDER BY name
                ON CONFLICT ("Name") DO NOTHING
                """, cancellationToken);
        }
        throw new InvalidOperationException($"The sending lanes {string.Join(", ", wanted)} could not be created and locked in {MaxAttempts} attempts.");
    }

    public async Task<IReadOnlyList<SendPacingLane>> ReadAsync(DateTime now, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SendPacingLanes.AsNoTracking()
            .Where(lane => lane.Name == SendPacingLane.GlobalName || lane.NextSlot > now || lane.Share < 1)
            .ToListAsync(cancellationToken);
    }

    public async Task ForgetIdleAsync(DateTime now, DateTime failuresSince, CancellationToken cancellationToken)
    {
        now = DateTime.SpecifyKind(now, DateTimeKind.Utc);
        failuresSince = DateTime.SpecifyKind(failuresSince, DateTimeKind.Utc);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // SKIP LOCKED: a lane a sender holds is not at rest anyway, and waiting for it while holding the rows already
        // taken could deadlock with a sender that locks them in name order.
        await db.Database.ExecuteSqlAsync($"""
            DELETE FROM "SendPacingLanes" WHERE "Name" IN (
                SELECT "Name" FROM "SendPacingLanes"
                WHERE "Name" <> '' AND "NextSlot" <= {now} AND "Share" >= 1
                    AND NOT EXISTS (SELECT 1 FROM unnest("Failures") AS failure WHERE failure > {failuresSince})
                FOR UPDATE SKIP LOCKED)
            """, cancellationToken);
    }
}
