using System.Text.Json;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using Hangfire;
using Hangfire.Storage;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Infrastructure.Health;

/// <summary>
/// <c>/health/live</c> (the process answers) and <c>/health/ready</c> (the database, Hangfire's storage and, when
/// one is configured, the SMTP server can be used), for a load balancer or an orchestrator. Both are public, so
/// they say which check failed and nothing more: no exception text, host names or connection details.
/// </summary>
public static class HealthServiceCollectionExtensions
{
    private const string Ready = "ready";
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<JobStorageHealthCheck>("jobs", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<SmtpHealthCheck>("smtp", tags: [Ready], timeout: CheckTimeout);
        return builder;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync })
            .AllowAnonymous()
            .DisableHttpMetrics();
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = WriteAsync })
            .AllowAnonymous()
            .DisableHttpMetrics();
        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }

    private sealed class DatabaseHealthCheck(IDbContextFactory<AppDbContext> dbFactory, ILogger<DatabaseHealthCheck> logger) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
                // A query on a table of ours, not only a connection: a database without the schema is not ready either.
                await db.Cases.AsNoTracking().Select(c => c.Id).FirstOrDefaultAsync(cancellationToken);
                return HealthCheckResult.Healthy("The database answers.");
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                logger.LogWarning(failure, "Health check: the database cannot be used");
                return HealthCheckResult.Unhealthy("The database cannot be used; the app's log says why.");
            }
        }
    }

    private sealed class JobStorageHealthCheck(JobStorage storage, ILogger<JobStorageHealthCheck> logger) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                using var connection = storage.GetConnection();
                connection.GetRecurringJobs();
                return Task.FromResult(HealthCheckResult.Healthy("Hangfire's storage answers."));
            }
            catch (Exception failure)
            {
                logger.LogWarning(failure, "Health check: Hangfire's storage cannot be used");
                return Task.FromResult(HealthCheckResult.Unhealthy("Hangfire's storage cannot be used; the app's log says why."));
            }
        }
    }

    private sealed class SmtpHealthCheck(IOptions<EmailOptions> options, ILogger<SmtpHealthCheck> logger) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (!options.Value.UsesSmtp)
            {
                return HealthCheckResult.Healthy("No SMTP server is configured: mail is written to the pickup folder.");
            }
            try
            {
                await SmtpMailTransport.ProbeAsync(options.Value.Smtp, cancellationToken);
                return HealthCheckResult.Healthy("The SMTP server accepts a session.");
            }
            catch (Exception failure) when (failure is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(failure, "Health check: the SMTP server cannot be used");
                // Mail waits in the outbox while the server is away, so the app still serves; it is degraded, not down.
                return HealthCheckResult.Degraded("The SMTP server cannot be reached or refused the session; the app's log says why.");
            }
        }
    }
}
