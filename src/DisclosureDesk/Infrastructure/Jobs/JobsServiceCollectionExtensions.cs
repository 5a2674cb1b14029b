using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Hangfire;
using Hangfire.Logging;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Infrastructure.Jobs;

public static class JobsServiceCollectionExtensions
{
    public const string DashboardPath = "/jobs";

    /// <summary>
    /// Hangfire with persistent storage beside the application's data: its own SQLite file on the embedded
    /// default (never the application database, ADR-007), its own schema on PostgreSQL.
    /// </summary>
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>()
            .BindConfiguration(JobsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var contentRoot = builder.Environment.ContentRootPath;
        // Each host builds its own storage. Hangfire's default registration hands every host the process-wide
        // JobStorage.Current, so with two hosts in one process (the tests run several) one could be given the other's
        // storage and lose it when that host is disposed; registered first, this one wins over Hangfire's TryAdd.
        builder.Services.AddSingleton<JobStorage>(services =>
        {
            var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var poll = TimeSpan.FromMilliseconds(services.GetRequiredService<IOptions<JobsOptions>>().Value.QueuePollIntervalMilliseconds);
            if (database.Provider == DatabaseProvider.PostgreSql)
            {
                // The package builds its connection factory only through this extension; Entry is the storage it made.
                return GlobalConfiguration.Configuration.UsePostgreSqlStorage(
                    bootstrap => bootstrap.UseNpgsqlConnection(database.ConnectionString),
                    new PostgreSqlStorageOptions { SchemaName = "hangfire", QueuePollInterval = poll }).Entry;
            }
            return new SQLiteStorage(SqliteJobsFile(database, contentRoot), new SQLiteStorageOptions { QueuePollInterval = poll });
        });
        builder.Services.AddHangfire((services, config) =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            // Hangfire logs through one provider for the whole process, set by the host that configured it last.
            // A process that runs several hosts (the tests do) registers a provider that outlives them all, or the
            // others would log through a disposed host's LoggerFactory.
            if (services.GetService<ILogProvider>() is { } processLogProvider)
            {
                config.UseLogProvider(processLogProvider);
            }
            config.UseStorage(services.GetRequiredService<JobStorage>());
        });

        builder.Services.AddHangfireServer((services, options) =>
        {
            // Two cores: a few workers keep mail moving without starving the web requests.
            options.WorkerCount = services.GetRequiredService<IOptions<JobsOptions>>().Value.WorkerCount;
            options.SchedulePollingInterval = TimeSpan.FromSeconds(5);
        });
        // Whether this process runs workers is decided when the host starts, from the bound options, not while
        // services are registered: configuration added by a test host or a later source is only visible then.
        var server = builder.Services.Last(d => d.ServiceType == typeof(IHostedService));
        builder.Services.Remove(server);
        builder.Services.AddSingleton<IHostedService>(services =>
            services.GetRequiredService<IOptions<JobsOptions>>().Value.RunServer
                ? (IHostedService)server.ImplementationFactory!(services)
                : new NoJobServer());
        return builder;
    }

    /// <summary>Registers the recurring jobs and serves the dashboard at <c>/jobs</c> to administrators.</summary>
    public static WebApplication UseJobs(this WebApplication app)
    {
        RecurringJobs.Register(app.Services.GetRequiredService<IRecurringJobManager>(),
            app.Services.GetRequiredService<IOptions<Features.Responses.Mail.InboundOptions>>().Value);
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
            {
                Authorization = [new AdministratorsOnlyDashboardFilter()],
                DisplayStorageConnectionString = false,
                AppPath = "/",
            })
            .RequireAuthorization(Policies.Administrator);
        return app;
    }

    public static string SqliteJobsFile(DatabaseOptions database, string contentRoot)
    {
        var directory = Path.GetFullPath(Path.Combine(contentRoot, database.DataDirectory));
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, "jobs.db");
    }
}

/// <summary>Stands in for the Hangfire server when <c>Jobs:RunServer</c> is false: this process only enqueues.</summary>
internal sealed class NoJobServer : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
