using System.Data.Common;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace DisclosureDesk.Features.Cases;

/// <summary>
/// Hands out case ids <c>PREFIX-YYYY-NNNNN</c>. The counter is bumped by one atomic upsert inside the
/// caller's transaction (SQLite and PostgreSQL both speak <c>ON CONFLICT … RETURNING</c>), so concurrent
/// creations serialise on the counter row and no number is given twice; the unique index on
/// <see cref="Case.Reference"/> is the backstop.
/// </summary>
public static class CaseReferenceAllocator
{
    public static string Format(string prefix, int year, int number) => $"{prefix}-{year:D4}-{number:D5}";

    public static async Task<string> NextAsync(AppDbContext db, string prefix, int year, CancellationToken cancellationToken = default) =>
        (await NextAsync(db, prefix, year, 1, cancellationToken))[0];

    /// <summary>
    /// The next <paramref name="count"/> references of <paramref name="year"/>, consecutive, in one upsert: for callers
    /// filing many cases in one transaction (the import), which would otherwise pay a statement per case.
    /// </summary>
    public static async Task<IReadOnlyList<string>> NextAsync(AppDbContext db, string prefix, int year, int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = connection.CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText =
                """
                INSERT INTO "CaseNumberCounters" ("Year", "LastNumber") VALUES (@year, @count)
                ON CONFLICT ("Year") DO UPDATE SET "LastNumber" = "CaseNumberCounters"."LastNumber" + @count
                RETURNING "LastNumber"
                """;
            AddParameter(command, "@year", year);
            AddParameter(command, "@count", count);
            var last = Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            return Enumerable.Range(last - count + 1, count).Select(number => Format(prefix, year, number)).ToList();
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
