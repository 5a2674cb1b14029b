using Microsoft.EntityFrameworkCore.Design;

namespace DisclosureDesk.Infrastructure.Data;

/// <summary>Used only by <c>dotnet ef migrations add … --context SqliteAppDbContext</c>.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAppDbContext>
{
    public SqliteAppDbContext CreateDbContext(string[] args) =>
        new(DataServiceCollectionExtensions.BuildOptions(new DatabaseOptions { ConnectionString = "Data Source=design-time.db" }, "."));
}

/// <summary>Used only by <c>dotnet ef migrations add … --context PostgreSqlAppDbContext</c>; never connects.</summary>
internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlAppDbContext>
{
    public PostgreSqlAppDbContext CreateDbContext(string[] args) =>
        new(DataServiceCollectionExtensions.BuildOptions(
            new DatabaseOptions { Provider = DatabaseProvider.PostgreSql, ConnectionString = "Host=localhost;Database=disclosuredesk_design" }, "."));
}
