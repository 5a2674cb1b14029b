using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Hangfire;
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
        builder.Services.AddHangfire((services, config) =>
        {
            var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            var poll = TimeSpan.FromMilliseconds(services.GetRequiredService<IOptions<JobsOptions>>().Value.QueuePollIntervalMilliseconds);
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (database.Provider == DatabaseProvider.PostgreSql)
            {
                config.UsePostgreSqlStorage(
                    bootstrap => bootstrap.UseNpgsqlConnection(database.ConnectionString),
                    new PostgreSqlStorageOptions { SchemaName = "hangfire", QueuePollInterval = poll });
            }
            else
            {
                config.UseSQLiteStorage(SqliteJobsFile(database, contentRoot), new SQLiteStorageOptions { QueuePollInterval = poll });
            }
        });

        var jobs = builder.Configuration.GetSection(JobsOptions.SectionName).Get<JobsOptions>() ?? new JobsOptions();
        if (jobs.RunServer)
        {
            builder.Services.AddHangfireServer(options =>
            {
                // Two cores: a few workers keep mail moving without starving the web requests.
                options.WorkerCount = jobs.WorkerCount;
                options.SchedulePollingInterval = TimeSpan.FromSeconds(5);
            });
        }
        return builder;
    }

    /// <summary>Registers the recurring jobs and serves the dashboard at <c>/jobs</c> to administrators.</summary>
    public static WebApplication UseJobs(this WebApplication app)
    {
        RecurringJobs.Register(app.Services.GetRequiredService<IRecurringJobManager>());
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
