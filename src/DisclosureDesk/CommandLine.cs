using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk;

/// <summary>Commands run with <c>dotnet run --project src/DisclosureDesk -- COMMAND</c> instead of the web app.</summary>
internal static class CommandLine
{
    public static bool IsCommand(string[] args) => args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=', StringComparison.Ordinal);

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        await using var scope = app.Services.CreateAsyncScope();
        switch (args[0])
        {
            case "verify-audit":
                return await VerifyAuditAsync(scope.ServiceProvider);
            case "export":
                return await ExportAsync(scope.ServiceProvider, args[1..]);
            case "backup":
                return await BackupAsync(scope.ServiceProvider, args[1..]);
            case "restore":
                return await RestoreAsync(scope.ServiceProvider, args[1..]);
            case "migrate-data":
                return await MigrateDataAsync(scope.ServiceProvider, args[1..]);
            default:
                await Console.Error.WriteLineAsync($"Unknown command '{args[0]}'. Commands: verify-audit, export, backup, restore, migrate-data. Run without a command to start the web app.");
                return 2;
        }
    }

    private static async Task<int> VerifyAuditAsync(IServiceProvider services)
    {
        var db = services.GetRequiredService<AppDbContext>();
        if ((await db.Database.GetPendingMigrationsAsync()).Any())
        {
            await Console.Error.WriteLineAsync("The database is missing migrations (or does not exist yet); start the app once to bring it up to date, then verify.");
            return 2;
        }
        var report = await services.GetRequiredService<VerifyAuditTrail.Handler>().HandleAsync();
        if (report.FirstBroken is { } broken)
        {
            await Console.Error.WriteLineAsync($"BROKEN: case {broken.Reference}: {broken.Verification.Problem}");
            Console.WriteLine($"Checked {report.CasesChecked} case(s) and {report.EventsChecked} event(s) before the first break.");
            return 1;
        }
        Console.WriteLine($"OK: {report.CasesChecked} case(s), {report.EventsChecked} timeline event(s); every audit chain verifies.");
        return 0;
    }

    private const string BackupUsage = "Usage: backup --output FILE.zip";
    private const string RestoreUsage = "Usage: restore FILE.zip (into the configured Database:DataDirectory, which must hold no database yet)";

    /// <summary>Where the SQLite database and the keys are, or null (with the reason written) when this is not a SQLite installation.</summary>
    private static async Task<(string DatabaseFile, string KeysDirectory)?> SqlitePathsAsync(IServiceProvider services)
    {
        var database = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DatabaseOptions>>().Value;
        if (database.Provider != DatabaseProvider.Sqlite)
        {
            await Console.Error.WriteLineAsync(
                "backup and restore handle the embedded SQLite database. On PostgreSQL use pg_dump / pg_restore (see docs/operations.md), and copy the data folder's keys/ with it.");
            return null;
        }
        var contentRoot = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
        var databaseFile = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(DataServiceCollectionExtensions.SqliteConnectionString(database, contentRoot)).DataSource;
        return (databaseFile, DataServiceCollectionExtensions.KeysDirectory(database.DataDirectory, contentRoot));
    }

    private static async Task<int> BackupAsync(IServiceProvider services, string[] args)
    {
        if (args is not ["--output", var output])
        {
            await Console.Error.WriteLineAsync(BackupUsage);
            return 2;
        }
        if (await SqlitePathsAsync(services) is not { } paths)
        {
            return 2;
        }
        if (!File.Exists(paths.DatabaseFile))
        {
            await Console.Error.WriteLineAsync($"There is no database at {paths.DatabaseFile} to back up.");
            return 2;
        }
        var manifest = await DataBackup.CreateAsync(paths.DatabaseFile, paths.KeysDirectory, Path.GetFullPath(output),
            services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime, CancellationToken.None);
        Console.WriteLine($"Backed up to {Path.GetFullPath(output)}: {string.Join(", ", manifest.Rows.Select(r => $"{r.Value} {r.Key}"))}; " +
            $"{manifest.Sha256.Count - 1} key file(s); schema {manifest.LastMigration}.");
        return 0;
    }

    private static async Task<int> RestoreAsync(IServiceProvider services, string[] args)
    {
        if (args is not [var backup] || backup.StartsWith('-'))
        {
            await Console.Error.WriteLineAsync(RestoreUsage);
            return 2;
        }
        if (!File.Exists(backup))
        {
            await Console.Error.WriteLineAsync($"There is no file {backup}.");
            return 2;
        }
        if (await SqlitePathsAsync(services) is not { } paths)
        {
            return 2;
        }
        DataBackup.RestoreOutcome outcome;
        try
        {
            outcome = await DataBackup.RestoreAsync(backup, paths.DatabaseFile, paths.KeysDirectory, CancellationToken.None);
        }
        catch (Exception failure) when (failure is BackupException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"Not restored: {failure.Message}");
            return 1;
        }
        Console.WriteLine($"Restored {backup} (made {outcome.Manifest.CreatedAt:yyyy-MM-dd HH:mm} UTC) into {Path.GetDirectoryName(paths.DatabaseFile)}.");
        foreach (var mismatch in outcome.Mismatches)
        {
            await Console.Error.WriteLineAsync($"MISMATCH: {mismatch}");
        }
        var verified = await VerifyAuditAsync(services);
        return outcome.Mismatches.Count > 0 ? 1 : verified;
    }

    private const string MigrateDataUsage =
        "Usage: migrate-data --from SQLITE_DATA_FOLDER (into the configured PostgreSQL database, which must be empty)";

    /// <summary>Copies a SQLite data folder (database and keys) into the configured, empty PostgreSQL database.</summary>
    private static async Task<int> MigrateDataAsync(IServiceProvider services, string[] args)
    {
        if (args is not ["--from", var folder])
        {
            await Console.Error.WriteLineAsync(MigrateDataUsage);
            return 2;
        }
        var contentRoot = services.GetRequiredService<IHostEnvironment>().ContentRootPath;
        var from = new DatabaseOptions { Provider = DatabaseProvider.Sqlite, DataDirectory = Path.GetFullPath(folder) };
        var databaseFile = Path.Combine(from.DataDirectory, "disclosuredesk.db");
        if (!File.Exists(databaseFile))
        {
            await Console.Error.WriteLineAsync($"There is no SQLite database at {databaseFile}. {MigrateDataUsage}");
            return 2;
        }
        // Read-only: the source is left exactly as it was, whatever happens.
        from.ConnectionString = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder
        {
            DataSource = databaseFile,
            Mode = Microsoft.Data.Sqlite.SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString();
        await using var source = new SqliteAppDbContext(DataServiceCollectionExtensions.BuildOptions(from, contentRoot));
        SqliteToPostgreSql.Outcome outcome;
        try
        {
            outcome = await SqliteToPostgreSql.CopyAsync(source, services.GetRequiredService<AppDbContext>(),
                DataServiceCollectionExtensions.KeysDirectory(from.DataDirectory, contentRoot), CancellationToken.None);
        }
        catch (DataMigrationException refused)
        {
            await Console.Error.WriteLineAsync($"Not copied: {refused.Message}");
            return 1;
        }
        foreach (var (table, rows) in outcome.Rows)
        {
            Console.WriteLine($"{table}: {rows}");
        }
        Console.WriteLine($"Copied {databaseFile} into PostgreSQL: {outcome.Rows.Values.Sum()} rows in {outcome.Rows.Count} tables, each count equal to the source's; " +
            $"{outcome.KeysImported} Data Protection key(s) into the database's key ring.");
        Console.WriteLine($"OK: {outcome.Audit.CasesChecked} case(s), {outcome.Audit.EventsChecked} timeline event(s); every audit chain verifies on PostgreSQL.");
        return 0;
    }

    private const string ExportUsage = "Usage: export REFERENCE [--format json|md|csv|html|csaf|ics] [--profile full|owner|public] [--output FILE]";

    /// <summary>
    /// Exports one case as the team sees it (the command line runs on the server, as an operator who may read
    /// every case); the profile decides what leaves it. Writes to stdout unless --output names a file.
    /// </summary>
    private static async Task<int> ExportAsync(IServiceProvider services, string[] args)
    {
        string? reference = null, formatName = "json", profileName = "full", output = null;
        for (var i = 0; i < args.Length; i++)
        {
            var option = args[i];
            if (option is "--format" or "--profile" or "--output")
            {
                if (i + 1 >= args.Length)
                {
                    await Console.Error.WriteLineAsync($"{option} needs a value. {ExportUsage}");
                    return 2;
                }
                var value = args[++i];
                switch (option)
                {
                    case "--format": formatName = value; break;
                    case "--profile": profileName = value; break;
                    default: output = value; break;
                }
            }
            else if (reference is null && !option.StartsWith('-'))
            {
                reference = option;
            }
            else
            {
                await Console.Error.WriteLineAsync($"Unexpected argument '{option}'. {ExportUsage}");
                return 2;
            }
        }
        if (reference is null)
        {
            await Console.Error.WriteLineAsync($"Which case? {ExportUsage}");
            return 2;
        }
        if (!ExportChoices.TryParseFormat(formatName, out var format))
        {
            await Console.Error.WriteLineAsync($"Unknown format '{formatName}'. Formats: {ExportChoices.FormatNames}.");
            return 2;
        }
        if (!ExportChoices.TryParseProfile(profileName, out var profile))
        {
            await Console.Error.WriteLineAsync($"Unknown profile '{profileName}'. Profiles: {ExportChoices.ProfileNames}.");
            return 2;
        }
        var db = services.GetRequiredService<AppDbContext>();
        if ((await db.Database.GetPendingMigrationsAsync()).Any())
        {
            await Console.Error.WriteLineAsync("The database is missing migrations (or does not exist yet); start the app once to bring it up to date, then export.");
            return 2;
        }

        var operatorUser = new CurrentUser("command-line", Environment.UserName, IsAdministrator: true, IsApproved: true, TimeZoneInfo.Utc);
        await using var download = await services.GetRequiredService<CaseExport.Handler>().OpenAsync(new CaseExport.Query(reference, format, profile), operatorUser);
        if (download is null)
        {
            await Console.Error.WriteLineAsync($"No case {reference}.");
            return 2;
        }
        if (output is null)
        {
            await using var stdout = Console.OpenStandardOutput();
            await download.WriteToAsync(stdout);
        }
        else
        {
            // Written beside the target and moved into place, so a failed export leaves no half file behind.
            var partial = output + ".partial";
            long length;
            try
            {
                await using (var file = File.Create(partial))
                {
                    await download.WriteToAsync(file);
                    length = file.Length;
                }
                File.Move(partial, output, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
            await Console.Error.WriteLineAsync($"Wrote {download.FileName} ({length:N0} bytes) to {output}.");
        }
        return 0;
    }
}
