using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Infrastructure.Data;

public static class WriteConflict
{
    /// <summary>
    /// True when the save lost a race with another writer and can be retried on fresh data. On PostgreSQL
    /// two transactions appending to one case block on the case row, and the loser then hits the unique
    /// (CaseId, Sequence) index before its stale concurrency check is reached, so a unique violation is a
    /// lost race as much as a concurrency exception is.
    /// </summary>
    public static bool IsWriteConflict(this DbUpdateException exception) =>
        exception is DbUpdateConcurrencyException
        || exception.InnerException is DbException { SqlState: "23505" }
        || exception.InnerException is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 };
}
