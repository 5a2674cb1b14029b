using System.IO.Compression;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Data;

/// <summary>The backup and restore commands, run as an operator would, on the app's real SQLite file.</summary>
[Collection(typeof(SqliteCollection))]
public sealed class BackupRestoreTests(SqliteDisclosureDeskFactory app) : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("disclosuredesk-backup-test-");

    [Fact]
    public async Task BackupThenRestore_IntoAFreshFolder_ReproducesEveryCountKeyAndAuditChain()
    {
        var lead = await app.CreateResearcherAsync("backup");
        var reference = await app.CreateCaseAsync(lead);
        var noted = await app.ExecuteAsync<AddCaseNote.Handler, CommandResult>(h =>
            h.HandleAsync(reference, new AddCaseNote.Command { Text = "Port still open on the rescan.", Visibility = EventVisibility.Internal }, lead.Current));
        Assert.True(noted.Succeeded, noted.Summary);
        var keys = DataServiceCollectionExtensions.KeysDirectory(app.Database.DataDirectory, AppContext.BaseDirectory);
        Directory.CreateDirectory(keys);
        var marker = Path.Combine(keys, "operator-marker.txt");
        await File.WriteAllTextAsync(marker, "kept with the database", TestContext.Current.CancellationToken);
        var backup = Path.Combine(_scratch.FullName, "backup.zip");

        var made = await app.RunCommandLineAsync("backup", "--output", backup);

        Assert.True(made.ExitCode == 0, made.Error);
        using (var zip = ZipFile.OpenRead(backup))
        {
            Assert.Contains(zip.Entries, e => e.FullName == DataBackup.DatabaseEntry);
            Assert.Contains(zip.Entries, e => e.FullName == "keys/operator-marker.txt");
        }
        var restoredFolder = Path.Combine(_scratch.FullName, "restored");

        var restored = await app.RunCommandLineAsync(SqliteSettings(restoredFolder), "restore", backup);

        Assert.True(restored.ExitCode == 0, restored.Error + restored.Output);
        Assert.Contains("every audit chain verifies", restored.Output, StringComparison.Ordinal);
        Assert.Equal(await CountsAsync(app.Database.File), await CountsAsync(Path.Combine(restoredFolder, "disclosuredesk.db")));
        Assert.Equal("kept with the database", await File.ReadAllTextAsync(Path.Combine(restoredFolder, "keys", "operator-marker.txt"), TestContext.Current.CancellationToken));

        var again = await app.RunCommandLineAsync(SqliteSettings(restoredFolder), "restore", backup);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("There is already a database", again.Error, StringComparison.Ordinal);
        Assert.Equal(await CountsAsync(app.Database.File), await CountsAsync(Path.Combine(restoredFolder, "disclosuredesk.db")));
    }

    [Fact]
    public async Task Restore_DamagedBackup_IsRefusedAndLeavesTheFolderEmpty()
    {
        var backup = Path.Combine(_scratch.FullName, "damaged.zip");
        Assert.Equal(0, (await app.RunCommandLineAsync("backup", "--output", backup)).ExitCode);
        using (var zip = ZipFile.Open(backup, ZipArchiveMode.Update))
        {
            zip.GetEntry(DataBackup.DatabaseEntry)!.Delete();
            await using var forged = await zip.CreateEntry(DataBackup.DatabaseEntry).OpenAsync(TestContext.Current.CancellationToken);
            await forged.WriteAsync("not the database that was backed up"u8.ToArray(), TestContext.Current.CancellationToken);
        }
        var target = Path.Combine(_scratch.FullName, "target");

        var restored = await app.RunCommandLineAsync(SqliteSettings(target), "restore", backup);

        Assert.Equal(1, restored.ExitCode);
        Assert.Contains("disclosuredesk.db in the backup is damaged", restored.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(target, "disclosuredesk.db")));
    }

    private static Dictionary<string, string?> SqliteSettings(string dataDirectory) => new()
    {
        ["Database:Provider"] = nameof(DatabaseProvider.Sqlite),
        ["Database:DataDirectory"] = dataDirectory,
    };

    private static async Task<Dictionary<string, long>> CountsAsync(string databaseFile)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databaseFile, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var counts = new Dictionary<string, long>();
        foreach (var table in DataBackup.CountedTables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM \"{table}\"";
            counts[table] = (long)(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
        }
        return counts;
    }

    public void Dispose() => _scratch.Delete(recursive: true);
}
