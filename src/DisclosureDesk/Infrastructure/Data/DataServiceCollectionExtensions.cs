using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Infrastructure.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IDbContextFactory{AppDbContext}"/> (for components and handlers: one short
    /// context per operation) and a scoped <see cref="AppDbContext"/> (for ASP.NET Core Identity).
    /// </summary>
    public static IHostApplicationBuilder AddData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddDataProtection().SetApplicationName("DisclosureDesk");
        // Where the key ring lives follows the provider, read once the options are bound (ADR-023).
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(services => new ConfigureOptions<KeyManagementOptions>(keys =>
            keys.XmlRepository = KeyRing(services, services.GetRequiredService<IOptions<DatabaseOptions>>().Value, contentRoot)));
        builder.Services.AddSingleton(sp => BuildOptions(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value, contentRoot));
        builder.Services.AddSingleton<IDbContextFactory<AppDbContext>, ProviderDbContextFactory>();
        builder.Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContext());
        builder.Services.AddScoped<DatabaseInitializer>();
        return builder;
    }

    public static DbContextOptions<AppDbContext> BuildOptions(DatabaseOptions options, string contentRoot)
    {
        var builder = new DbContextOptionsBuilder<AppDbContext>();
        Configure(builder, options, contentRoot);
        return builder.Options;
    }

    public static void Configure(DbContextOptionsBuilder builder, DatabaseOptions options, string contentRoot)
    {
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite:
                builder.UseSqlite(SqliteConnectionString(options, contentRoot));
                builder.AddInterceptors(new SqlitePragmas(options.BusyTimeoutMilliseconds));
                break;
            case DatabaseProvider.PostgreSql:
                builder.UseNpgsql(options.ConnectionString);
                break;
            default:
                throw new InvalidOperationException($"Database:Provider '{options.Provider}' is not supported.");
        }
        builder.AddInterceptors(new AppendOnlyInterceptor());
    }

    /// <summary>
    /// Where the Data Protection keys (sign-in cookies, antiforgery, evidence) are kept. SQLite: the data folder's
    /// <c>keys/</c>, beside the database, so one folder (and one backup) holds everything needed to read it.
    /// PostgreSQL: the <c>DataProtectionKeys</c> table, so every instance on the database reads and writes one ring.
    /// </summary>
    public static IXmlRepository KeyRing(IServiceProvider services, DatabaseOptions options, string contentRoot)
    {
        var loggers = services.GetRequiredService<ILoggerFactory>();
        return options.Provider == DatabaseProvider.PostgreSql
            ? new EntityFrameworkCoreXmlRepository<AppDbContext>(services, loggers)
            : new FileSystemXmlRepository(new DirectoryInfo(KeysDirectory(options.DataDirectory, contentRoot)), loggers);
    }

    /// <summary>The Data Protection keys that decrypt the evidence on SQLite, kept in the data folder beside the database.</summary>
    public static string KeysDirectory(string dataDirectory, string contentRoot) =>
        Path.Combine(Path.GetFullPath(Path.Combine(contentRoot, dataDirectory)), "keys");

    public static string SqliteConnectionString(DatabaseOptions options, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return options.ConnectionString;
        }
        var directory = Path.GetFullPath(Path.Combine(contentRoot, options.DataDirectory));
        return new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, "disclosuredesk.db"),
            Pooling = true,
        }.ToString();
    }
}

/// <summary>Creates the provider's <see cref="AppDbContext"/> subclass, which selects that provider's migrations.</summary>
internal sealed class ProviderDbContextFactory(DbContextOptions<AppDbContext> options, IOptions<DatabaseOptions> database)
    : IDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext() => database.Value.Provider switch
    {
        DatabaseProvider.PostgreSql => new PostgreSqlAppDbContext(options),
        _ => new SqliteAppDbContext(options),
    };
}
