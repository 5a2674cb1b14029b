namespace DisclosureDesk.Infrastructure.Data;

/// <summary>
/// SQLite releases before 3.51.3 can corrupt a WAL-mode database when the WAL is reset while another
/// connection is writing. DisclosureDesk runs in WAL mode with several connections, so it refuses to
/// start on such a library rather than risk the audit trail.
/// </summary>
public static class SqliteVersionCheck
{
    public static readonly Version Minimum = new(3, 51, 3);

    /// <summary>Null when <paramref name="libraryVersion"/> is safe, else the reason to refuse.</summary>
    public static string? Refusal(string libraryVersion)
    {
        if (!Version.TryParse(libraryVersion, out var version))
        {
            return $"Could not read the SQLite library version '{libraryVersion}'.";
        }
        return version >= Minimum
            ? null
            : $"The SQLite library is version {libraryVersion}; DisclosureDesk needs {Minimum} or later, because earlier versions " +
              "can corrupt a WAL-mode database when the WAL is reset during a concurrent write. " +
              "Update the SQLitePCLRaw.bundle_e_sqlite3 package, or use PostgreSQL (Database:Provider).";
    }
}
