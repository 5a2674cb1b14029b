using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// Where <see cref="SendPacer"/> keeps its lanes: in the process on SQLite, in the database on PostgreSQL, where
/// every instance shares them (ADR-027). The pacer's rules are the same over both; a store only holds the state and
/// keeps two changes of one lane from interleaving.
/// </summary>
public interface ISendPacingLanes
{
    /// <summary>
    /// Runs <paramref name="change"/> on the lanes named (distinct names; a lane not yet known is created at rest at
    /// <paramref name="now"/>), in the order named, while no other caller, in this process or another, can change
    /// any of them, and keeps what it changed.
    /// </summary>
    Task<T> ChangeAsync<T>(IReadOnlyList<string> names, DateTime now, Func<IReadOnlyList<SendPacingLane>, T> change, CancellationToken cancellationToken);

    /// <summary>The global lane (if known) and the domain lanes that are busy at <paramref name="now"/> or slowed; copies, for reading.</summary>
    Task<IReadOnlyList<SendPacingLane>> ReadAsync(DateTime now, CancellationToken cancellationToken);

    /// <summary>
    /// Drops the domain lanes at rest: free by <paramref name="now"/>, at the full rate, and with no failure after
    /// <paramref name="failuresSince"/>. A forgotten lane behaves exactly as the one dropped, so this only saves space.
    /// </summary>
    Task ForgetIdleAsync(DateTime now, DateTime failuresSince, CancellationToken cancellationToken);
}

public static class SendPacingLanes
{
    /// <summary>
    /// The store for <paramref name="provider"/>: the database's table on PostgreSQL, which any number of instances
    /// share, and memory on SQLite, which one process uses by design (ADR-027 says why not the table there too).
    /// </summary>
    public static ISendPacingLanes For(DatabaseProvider provider, IDbContextFactory<AppDbContext> dbFactory) => provider == DatabaseProvider.PostgreSql
        ? new PostgreSqlSendPacingLanes(dbFactory)
        : new InMemorySendPacingLanes();
}
