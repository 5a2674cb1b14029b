using DisclosureDesk.Infrastructure.Data;
using Microsoft.Data.Sqlite;

namespace DisclosureDesk.UnitTests.Infrastructure.Data;

public class SqliteVersionCheckTests
{
    [Theory]
    [InlineData("3.51.2")]
    [InlineData("3.40.1")]
    [InlineData("3.9.99")]
    public void Refusal_VersionBeforeWalResetFix_NamesVersionAndMinimum(string version)
    {
        var refusal = SqliteVersionCheck.Refusal(version);

        Assert.NotNull(refusal);
        Assert.Contains($"version {version};", refusal, StringComparison.Ordinal);
        Assert.Contains("needs 3.51.3 or later", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("3.51.3")]
    [InlineData("3.53.4")]
    [InlineData("3.100.0")]
    [InlineData("4.0.0")]
    public void Refusal_FixedVersion_IsNull(string version)
    {
        Assert.Null(SqliteVersionCheck.Refusal(version));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("3.x.1")]
    [InlineData("3.51.3-beta")]
    public void Refusal_UnreadableVersion_IsRefusedNamingTheInput(string version)
    {
        Assert.Equal($"Could not read the SQLite library version '{version}'.", SqliteVersionCheck.Refusal(version));
    }

    [Fact]
    public void Refusal_BundledLibrary_IsNull()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_version()";
        var version = (string)command.ExecuteScalar()!;

        Assert.Null(SqliteVersionCheck.Refusal(version));
    }
}
