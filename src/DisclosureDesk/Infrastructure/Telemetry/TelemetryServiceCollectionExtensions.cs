using DisclosureDesk.Features.Notifications;
using Hangfire;
using Hangfire.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DisclosureDesk.Infrastructure.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics for requests, EF Core, Hangfire jobs and mail, exported over OTLP when
/// <c>OpenTelemetry:OtlpEndpoint</c> is set, and redaction of secrets from every log entry (ADR-024).
/// </summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Always: the job filter, the redacting logger factory and the options. With an endpoint: the tracer and
    /// meter providers and their OTLP exporters. Without one no provider exists, so no span is even created.
    /// </summary>
    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelemetryOptions>()
            .BindConfiguration(TelemetryOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<JobTelemetryFilter>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IJobFilterProvider>(services =>
        {
            // Hangfire's own registration resolves this first, so its configuration callback has run (ADR-007's setup).
            services.GetRequiredService<IGlobalConfiguration>();
            return new TelemetryJobFilterProvider(JobFilterProviders.Providers, services.GetRequiredService<JobTelemetryFilter>());
        }));
        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(services => new RedactingLoggerFactory(new LoggerFactory(
            services.GetServices<ILoggerProvider>(),
            services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            services.GetService<IOptions<LoggerFactoryOptions>>(),
            services.GetService<IExternalScopeProvider>()))));

        // Read now, not when the host starts: whether the providers exist at all is decided while services are registered.
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();
        if (options.OtlpEndpoint is not { IsAbsoluteUri: true } endpoint)
        {
            return builder;
        }
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(options.ServiceName, serviceInstanceId: Environment.MachineName))
            .WithTracing(tracing => tracing
                .AddDisclosureDeskInstrumentation()
                .AddOtlpExporter(exporter => ConfigureExporter(exporter, options.OtlpProtocol, endpoint, "v1/traces")))
            .WithMetrics(metrics => metrics
                .AddDisclosureDeskInstrumentation()
                .AddOtlpExporter((exporter, reader) =>
                {
                    ConfigureExporter(exporter, options.OtlpProtocol, endpoint, "v1/metrics");
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = options.MetricsIntervalSeconds * 1000;
                }));
        return builder;
    }

    /// <summary>The app's span sources: requests (health probes left out), EF Core commands and Hangfire jobs.</summary>
    public static TracerProviderBuilder AddDisclosureDeskInstrumentation(this TracerProviderBuilder tracing) => tracing
        .AddAspNetCoreInstrumentation(aspNetCore =>
        {
            aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
            // The query's values are already replaced by the instrumentation; the calendar feed's token is in the path.
            aspNetCore.EnrichWithHttpRequest = (activity, request) =>
            {
                if (request.Path.Value is { } path && SecretRedaction.Redact(path) is var redacted && !ReferenceEquals(redacted, path))
                {
                    activity.SetTag("url.path", redacted);
                }
            };
        })
        .AddEntityFrameworkCoreInstrumentation()
        .AddSource(JobTelemetryFilter.ActivitySourceName);

    /// <summary>The app's meters: ASP.NET Core's request metrics, the runtime's, jobs and mail (with the outbox gauges).</summary>
    public static MeterProviderBuilder AddDisclosureDeskInstrumentation(this MeterProviderBuilder metrics) => metrics
        .AddAspNetCoreInstrumentation()
        .AddMeter("System.Runtime", JobTelemetryFilter.MeterName, OutboxMetrics.MeterName)
        // The outbox gauges exist once their meter does; without this they would appear only after the first delivery run.
        .AddInstrumentation(static services => services.GetRequiredService<OutboxMetrics>());

    private static void ConfigureExporter(OtlpExporterOptions exporter, OtlpTransport transport, Uri endpoint, string signalPath)
    {
        exporter.Protocol = transport == OtlpTransport.HttpProtobuf ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
        // Over HTTP each signal has its own path; over gRPC the service name routes it.
        exporter.Endpoint = transport == OtlpTransport.HttpProtobuf
            ? new Uri($"{endpoint.AbsoluteUri.TrimEnd('/')}/{signalPath}")
            : endpoint;
    }
}
