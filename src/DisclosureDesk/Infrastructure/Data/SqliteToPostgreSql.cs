using System.Data.Common;
using System.Reflection;
using System.Xml.Linq;
using DisclosureDesk.Features.Timeline;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace DisclosureDesk.Infrastructure.Data;

/// <summary>
/// Copies a SQLite installation into an empty PostgreSQL database (the <c>migrate-data</c> command): every table of
/// the model with its ids, in one transaction, then the data folder's Data Protection keys into the database's key
/// ring, then the identity sequences moved past the copied ids. Before committing, it checks every table's row count
/// against the source and re-verifies every case's audit chain on PostgreSQL; any difference rolls the copy back.
/// </summary>
public static class SqliteToPostgreSql
{
    public sealed record Outcome(IReadOnlyDictionary<string, long> Rows, int KeysImported, VerifyAuditTrail.Report Audit);

    /// <summary>Rows per save; a table with binary columns (evidence, raw emails) goes in smaller steps to bound memory.</summary>
    private const int Batch = 500;
    private const int BinaryBatch = 10;

    /// <summary>Refuses (with nothing changed) unless the source is current and the target holds no rows; otherwise copies.</summary>
    public static async Task<Outcome> CopyAsync(AppDbContext source, AppDbContext target, string keysDirectory, CancellationToken cancellationToken)
    {
        if (!target.Database.IsNpgsql())
        {
            throw new DataMigrationException("migrate-data copies into PostgreSQL: set Database:Provider to PostgreSql and Database:ConnectionString to the new, empty database.");
        }
        if ((await source.Database.GetPendingMigrationsAsync(cancellationToken)).ToList() is { Count: > 0 } behind)
        {
            throw new DataMigrationException(
                $"The SQLite database is missing {behind.Count} migration(s) of this version ({behind[^1]}). Start this version of the app once on that data folder, then copy.");
        }
        var tables = Tables(target.Model);
        if (await FirstNonEmptyTableAsync(target, tables, cancellationToken) is { } occupied)
        {
            throw new DataMigrationException(
                $"The PostgreSQL database is not empty (table \"{occupied}\" has rows). migrate-data only copies into an empty database; create a new one and point Database:ConnectionString at it. Nothing was changed.");
        }

        await target.Database.MigrateAsync(cancellationToken);
        await using var transaction = await target.Database.BeginTransactionAsync(cancellationToken);
        foreach (var entityType in InsertionOrder(target.Model))
        {
            await (Task)CopyTableMethod.MakeGenericMethod(entityType.ClrType).Invoke(null, [source, target, cancellationToken])!;
        }
        var keys = await ImportKeysAsync(target, keysDirectory, cancellationToken);
        await MoveSequencesAsync(target, cancellationToken);

        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        var mismatches = new List<string>();
        foreach (var table in tables)
        {
            var expected = await CountAsync(source, table, cancellationToken) + (table == KeysTable ? keys : 0);
            var copied = rows[table] = await CountAsync(target, table, cancellationToken);
            if (copied != expected)
            {
                mismatches.Add($"{table}: {copied} rows copied, {expected} expected");
            }
        }
        if (mismatches.Count > 0)
        {
            throw new DataMigrationException($"The copy does not match the source ({string.Join("; ", mismatches)}); it was rolled back.");
        }
        var audit = await VerifyAuditTrail.VerifyAsync(target, cancellationToken);
        if (audit.FirstBroken is { } broken)
        {
            throw new DataMigrationException($"Case {broken.Reference}'s audit chain does not verify on PostgreSQL ({broken.Verification.Problem}); the copy was rolled back.");
        }
        await transaction.CommitAsync(cancellationToken);
        return new Outcome(rows, keys, audit);
    }

    private static readonly string KeysTable = nameof(AppDbContext.DataProtectionKeys);

    private static readonly MethodInfo CopyTableMethod = typeof(SqliteToPostgreSql).GetMethod(nameof(CopyTableAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    /// <summary>
    /// Streams one table across. Each row is rebuilt from the source's property values (shadow ones included), so it
    /// keeps its id, and added on its own: the navigations that the source context fixed up are never followed.
    /// </summary>
    private static async Task CopyTableAsync<TEntity>(AppDbContext source, AppDbContext target, CancellationToken cancellationToken)
        where TEntity : class
    {
        var entityType = target.Model.FindEntityType(typeof(TEntity))!;
        var batch = entityType.GetProperties().Any(p => p.ClrType == typeof(byte[])) ? BinaryBatch : Batch;
        var pending = 0;
        await foreach (var row in source.Set<TEntity>().AsTracking().AsAsyncEnumerable().WithCancellation(cancellationToken))
        {
            var from = source.Entry(row);
            var to = target.Entry((TEntity)from.CurrentValues.ToObject());
            to.State = EntityState.Added;
            // The two contexts have different models, so values go across by name; ToObject has set all but the shadow ones.
            foreach (var shadow in to.Metadata.GetProperties().Where(p => p.IsShadowProperty()))
            {
                to.Property(shadow).CurrentValue = from.Property(shadow.Name).CurrentValue;
            }
            if (++pending == batch)
            {
                await SaveAsync();
            }
        }
        await SaveAsync();

        async Task SaveAsync()
        {
            await target.SaveChangesAsync(cancellationToken);
            target.ChangeTracker.Clear();
            source.ChangeTracker.Clear();
            pending = 0;
        }
    }

    /// <summary>The data folder's key files become rows of the database's key ring, under the names the file ring gave them.</summary>
    private static async Task<int> ImportKeysAsync(AppDbContext target, string keysDirectory, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(keysDirectory))
        {
            return 0;
        }
        var files = Directory.GetFiles(keysDirectory, "*.xml").Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            XElement key;
            await using (var stream = File.OpenRead(file))
            {
                key = await XElement.LoadAsync(stream, LoadOptions.None, cancellationToken);
            }
            target.DataProtectionKeys.Add(new DataProtectionKey { FriendlyName = Path.GetFileNameWithoutExtension(file), Xml = key.ToString(SaveOptions.DisableFormatting) });
        }
        await target.SaveChangesAsync(cancellationToken);
        target.ChangeTracker.Clear();
        return files.Count;
    }

    /// <summary>Rows kept their ids, so each identity column's sequence must continue after the highest one copied.</summary>
    private static async Task MoveSequencesAsync(AppDbContext target, CancellationToken cancellationToken)
    {
        foreach (var entityType in target.Model.GetEntityTypes())
        {
            if (entityType.FindPrimaryKey()?.Properties is not [{ ValueGenerated: ValueGenerated.OnAdd } key]
                || (key.ClrType != typeof(int) && key.ClrType != typeof(long))
                || entityType.GetTableName() is not { } table)
            {
                continue;
            }
            var column = key.GetColumnName();
            await ExecuteAsync(target,
                $"""SELECT setval(pg_get_serial_sequence('"{table}"', '{column}'), COALESCE(MAX("{column}"), 0) + 1, false) FROM "{table}" """,
                cancellationToken);
        }
    }

    /// <summary>The model's tables, each once.</summary>
    private static List<string> Tables(IModel model) =>
        model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every table's root entity type, principals before the types that refer to them, so each row's foreign keys already resolve.</summary>
    private static List<IEntityType> InsertionOrder(IModel model)
    {
        var roots = model.GetEntityTypes().Where(e => e.BaseType is null && e.GetTableName() is not null).ToList();
        var ordered = new List<IEntityType>();
        var placed = new HashSet<IEntityType>();
        while (ordered.Count < roots.Count)
        {
            var ready = roots.Where(e => !placed.Contains(e)
                    && e.GetForeignKeys().All(fk => fk.PrincipalEntityType.GetRootType() == e || placed.Contains(fk.PrincipalEntityType.GetRootType())))
                .OrderBy(e => e.GetTableName(), StringComparer.Ordinal)
                .ToList();
            if (ready.Count == 0)
            {
                throw new InvalidOperationException($"The model's foreign keys form a cycle among {string.Join(", ", roots.Except(placed).Select(e => e.GetTableName()))}.");
            }
            ordered.AddRange(ready);
            placed.UnionWith(ready);
        }
        return ordered;
    }

    private static async Task<string?> FirstNonEmptyTableAsync(AppDbContext target, IEnumerable<string> tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            if (await ScalarAsync(target, $"""SELECT to_regclass('"{table}"') IS NOT NULL""", cancellationToken) is true
                && await ScalarAsync(target, $"""SELECT EXISTS (SELECT 1 FROM "{table}")""", cancellationToken) is true)
            {
                return table;
            }
        }
        return null;
    }

    private static async Task<long> CountAsync(AppDbContext db, string table, CancellationToken cancellationToken) =>
        Convert.ToInt64(await ScalarAsync(db, $"""SELECT COUNT(*) FROM "{table}" """, cancellationToken), System.Globalization.CultureInfo.InvariantCulture);

    private static async Task ExecuteAsync(AppDbContext db, string sql, CancellationToken cancellationToken) =>
        await ScalarAsync(db, sql, cancellationToken);

    private static async Task<object?> ScalarAsync(AppDbContext db, string sql, CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using DbCommand command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = sql;
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            return await command.ExecuteScalarAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}

/// <summary>migrate-data refused or rolled back; the message says why and what to do.</summary>
public sealed class DataMigrationException(string message) : Exception(message);
