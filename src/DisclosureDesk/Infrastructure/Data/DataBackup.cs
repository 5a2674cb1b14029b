using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DisclosureDesk.Infrastructure.Data;

/// <summary>
/// One file that holds everything needed to bring a SQLite installation back: a consistent snapshot of the database
/// (SQLite's online backup, safe while the app runs), the Data Protection keys that decrypt its evidence, and a
/// manifest with each file's SHA-256 and the row counts a restore is checked against. Hangfire's own database is
/// not in it: its recurring jobs are registered again at start-up and the outbox, which is in the app's database,
/// is swept into delivery again.
/// </summary>
public static class DataBackup
{
    public const string DatabaseEntry = "disclosuredesk.db";
    public const string ManifestEntry = "manifest.json";
    private const string KeysFolder = "keys";

    /// <summary>The tables whose row counts a restore must reproduce.</summary>
    public static IReadOnlyList<string> CountedTables { get; } = ["Cases", "TimelineEvents", "CaseContacts", "EvidenceFiles", "EvidenceContent", "OutboxMessages", "VendorResponses", "AspNetUsers"];

    public sealed record Manifest(DateTime CreatedAt, string LastMigration, IReadOnlyDictionary<string, long> Rows, IReadOnlyDictionary<string, string> Sha256);

    /// <summary>Writes the backup to <paramref name="output"/> (beside it first, then moved into place, so a failure leaves no half file).</summary>
    public static async Task<Manifest> CreateAsync(string databaseFile, string keysDirectory, string output, DateTime now, CancellationToken cancellationToken)
    {
        var snapshot = Path.Combine(Path.GetTempPath(), $"disclosuredesk-backup-{Guid.NewGuid():N}.db");
        var partial = output + ".partial";
        try
        {
            await using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = snapshot, Pooling = false }.ToString()))
            {
                await source.OpenAsync(cancellationToken);
                await copy.OpenAsync(cancellationToken);
                source.BackupDatabase(copy);
            }
            var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
            var manifest = new Manifest(now, await LastMigrationAsync(snapshot, cancellationToken), await CountRowsAsync(snapshot, cancellationToken), hashes);
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            await using (var zip = new ZipArchive(file, ZipArchiveMode.Create))
            {
                hashes[DatabaseEntry] = await AddAsync(zip, DatabaseEntry, snapshot, cancellationToken);
                if (Directory.Exists(keysDirectory))
                {
                    foreach (var key in Directory.GetFiles(keysDirectory).Order(StringComparer.Ordinal))
                    {
                        var entry = $"{KeysFolder}/{Path.GetFileName(key)}";
                        hashes[entry] = await AddAsync(zip, entry, key, cancellationToken);
                    }
                }
                await using var manifestStream = await zip.CreateEntry(ManifestEntry).OpenAsync(cancellationToken);
                await JsonSerializer.SerializeAsync(manifestStream, manifest, JsonOptions, cancellationToken);
            }
            File.Move(partial, output, overwrite: true);
            return manifest;
        }
        finally
        {
            File.Delete(snapshot);
            File.Delete(partial);
        }
    }

    public sealed record RestoreOutcome(Manifest Manifest, IReadOnlyDictionary<string, long> Rows, IReadOnlyList<string> Mismatches);

    /// <summary>
    /// Unpacks <paramref name="backup"/> into an empty data folder: refuses when a database is already there (a
    /// restore must never overwrite records) or when any file's SHA-256 differs from the manifest's.
    /// </summary>
    public static async Task<RestoreOutcome> RestoreAsync(string backup, string databaseFile, string keysDirectory, CancellationToken cancellationToken)
    {
        if (File.Exists(databaseFile) && new FileInfo(databaseFile).Length > 0)
        {
            throw new BackupException($"There is already a database at {databaseFile}. Restore into an empty data folder; move the current one away first.");
        }
        if (Directory.Exists(keysDirectory) && Directory.EnumerateFileSystemEntries(keysDirectory).Any())
        {
            throw new BackupException($"There are already keys in {keysDirectory}. Restore into an empty data folder; move the current one away first.");
        }
        await using var file = new FileStream(backup, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using var zip = new ZipArchive(file, ZipArchiveMode.Read);
        var manifestEntry = zip.GetEntry(ManifestEntry) ?? throw new BackupException($"{backup} is not a DisclosureDesk backup: it has no {ManifestEntry}.");
        Manifest manifest;
        await using (var manifestStream = await manifestEntry.OpenAsync(cancellationToken))
        {
            manifest = await JsonSerializer.DeserializeAsync<Manifest>(manifestStream, JsonOptions, cancellationToken)
                ?? throw new BackupException($"{backup} has an empty manifest.");
        }
        var entries = zip.Entries.Where(e => e.FullName != ManifestEntry).ToList();
        var unlisted = entries.Select(e => e.FullName).Except(manifest.Sha256.Keys).Concat(manifest.Sha256.Keys.Except(entries.Select(e => e.FullName))).ToList();
        if (unlisted.Count > 0)
        {
            throw new BackupException($"The backup's files do not match its manifest: {string.Join(", ", unlisted)}.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(databaseFile)!);
        var staged = new List<(string Staged, string Target)>();
        try
        {
            foreach (var entry in entries)
            {
                var target = entry.FullName == DatabaseEntry
                    ? databaseFile
                    : entry.FullName.StartsWith(KeysFolder + "/", StringComparison.Ordinal) && Path.GetFileName(entry.FullName) is { Length: > 0 } name && name == entry.Name
                        ? Path.Combine(keysDirectory, name)
                        : throw new BackupException($"The backup holds an unexpected file: {entry.FullName}.");
                var temporary = target + ".restoring";
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                string sha256;
                await using (var input = await entry.OpenAsync(cancellationToken))
                await using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
                {
                    sha256 = await CopyHashingAsync(input, output, cancellationToken);
                }
                staged.Add((temporary, target));
                if (!string.Equals(sha256, manifest.Sha256[entry.FullName], StringComparison.Ordinal))
                {
                    throw new BackupException($"{entry.FullName} in the backup is damaged: its SHA-256 is {sha256}, the manifest says {manifest.Sha256[entry.FullName]}.");
                }
            }
            foreach (var (temporary, target) in staged)
            {
                File.Move(temporary, target);
            }
            staged.Clear();
        }
        finally
        {
            foreach (var (temporary, _) in staged)
            {
                File.Delete(temporary);
            }
        }

        var rows = await CountRowsAsync(databaseFile, cancellationToken);
        var mismatches = manifest.Rows
            .Where(expected => !rows.TryGetValue(expected.Key, out var actual) || actual != expected.Value)
            .Select(expected => $"{expected.Key}: {rows.GetValueOrDefault(expected.Key)} rows restored, {expected.Value} backed up")
            .ToList();
        return new RestoreOutcome(manifest, rows, mismatches);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static async Task<string> AddAsync(ZipArchive zip, string name, string path, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true);
        await using var output = await zip.CreateEntry(name, CompressionLevel.Optimal).OpenAsync(cancellationToken);
        return await CopyHashingAsync(input, output, cancellationToken);
    }

    private static async Task<string> CopyHashingAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static async Task<Dictionary<string, long>> CountRowsAsync(string databaseFile, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in CountedTables)
        {
            await using var command = connection.CreateCommand();
            // Table names come from the constant list above, never from input.
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            rows[table] = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        return rows;
    }

    private static async Task<string> LastMigrationAsync(string databaseFile, CancellationToken cancellationToken)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MigrationId FROM \"__EFMigrationsHistory\" ORDER BY MigrationId DESC LIMIT 1";
        return (string?)await command.ExecuteScalarAsync(cancellationToken) ?? "";
    }
}

/// <summary>A backup that cannot be made or restored, with the reason for the operator.</summary>
public sealed class BackupException(string message) : Exception(message);
