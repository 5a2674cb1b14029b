using DisclosureDesk.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace DisclosureDesk.IntegrationTests;

/// <summary>A SQLite database file in a fresh temporary folder, deleted on dispose.</summary>
public sealed class SqliteTestDatabase : IAsyncDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("disclosuredesk-tests-");

    /// <summary>The app's <c>Database:DataDirectory</c>. Not created up front: the app's start-up has to create it.</summary>
    public string DataDirectory => Path.Combine(_root.FullName, "App_Data");

    public DatabaseOptions Options => new() { Provider = DatabaseProvider.Sqlite, DataDirectory = DataDirectory };

    /// <summary>The connection string the app derives from <see cref="DataDirectory"/>.</summary>
    public string ConnectionString => DataServiceCollectionExtensions.SqliteConnectionString(Options, _root.FullName);

    public string File => new SqliteConnectionStringBuilder(ConnectionString).DataSource;

    public ValueTask DisposeAsync()
    {
        // Pooled connections keep the file (and its WAL) open.
        using (var connection = new SqliteConnection(ConnectionString))
        {
            SqliteConnection.ClearPool(connection);
        }
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException failure)
        {
            // Something wrote into the folder after the app was disposed: name what, so it can be found.
            var left = _root.Exists ? string.Join(", ", _root.EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Select(f => f.FullName)) : "";
            throw new IOException($"{failure.Message} Left behind: {left}", failure);
        }
        return ValueTask.CompletedTask;
    }
}
