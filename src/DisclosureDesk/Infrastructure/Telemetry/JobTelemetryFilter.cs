using System.Diagnostics;
using System.Diagnostics.Metrics;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;

namespace DisclosureDesk.Infrastructure.Telemetry;

/// <summary>
/// A span per Hangfire job run (a child of the request or job that enqueued it) and the
/// <c>disclosuredesk.job.duration</c> histogram by job and outcome. No instrumentation package for Hangfire is
/// available here, and a filter is all one takes (ADR-024). Job arguments are ids, but they stay out of the telemetry anyway.
/// </summary>
public sealed class JobTelemetryFilter : IClientFilter, IServerFilter
{
    public const string ActivitySourceName = "DisclosureDesk.Jobs";
    public const string MeterName = "DisclosureDesk.Jobs";

    private const string TraceParentParameter = "traceparent";
    private const string ActivityItem = "DisclosureDesk.Telemetry.Activity";
    private const string StartedItem = "DisclosureDesk.Telemetry.Started";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    private readonly Histogram<double> _duration;

    public JobTelemetryFilter(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _duration = meter.CreateHistogram("disclosuredesk.job.duration", unit: "s",
            description: "How long Hangfire job runs took, by job and outcome (succeeded, failed, cancelled).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900] });
    }

    public void OnCreating(CreatingContext context)
    {
        // Only the trace context crosses into the job's storage, and only while someone is tracing.
        if (Activity.Current is { IdFormat: ActivityIdFormat.W3C } current)
        {
            context.SetJobParameter(TraceParentParameter, current.Id);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnPerforming(PerformingContext context)
    {
        context.Items[StartedItem] = Stopwatch.GetTimestamp();
        if (!Source.HasListeners())
        {
            return;
        }
        var parent = TraceParent(context) is { } traceParent && ActivityContext.TryParse(traceParent, null, out var parsed) ? parsed : default;
        var name = JobName(context.BackgroundJob.Job);
        // Activity.Current set here stays set while Hangfire invokes the job, so EF spans become its children.
        var activity = Source.StartActivity(name, ActivityKind.Internal, parent);
        if (activity is not null)
        {
            activity.SetTag("job.name", name);
            activity.SetTag("job.id", context.BackgroundJob.Id);
            context.Items[ActivityItem] = activity;
        }
    }

    public void OnPerformed(PerformedContext context)
    {
        var outcome = context.Exception switch
        {
            null => "succeeded",
            { } e when e is OperationCanceledException || e.InnerException is OperationCanceledException || e.GetType().Name == "JobAbortedException" => "cancelled",
            _ => "failed",
        };
        var name = JobName(context.BackgroundJob.Job);
        if (context.Items.TryGetValue(StartedItem, out var started) && started is long timestamp)
        {
            _duration.Record(Stopwatch.GetElapsedTime(timestamp).TotalSeconds,
                new KeyValuePair<string, object?>("job.name", name), new KeyValuePair<string, object?>("job.outcome", outcome));
        }
        if (context.Items.TryGetValue(ActivityItem, out var item) && item is Activity activity)
        {
            activity.SetTag("job.outcome", outcome);
            if (outcome == "failed")
            {
                // The type only: an exception's message may quote data the job handled.
                var failure = context.Exception!.InnerException ?? context.Exception;
                activity.SetStatus(ActivityStatusCode.Error);
                activity.SetTag("error.type", failure.GetType().FullName);
            }
            activity.Stop();
        }
    }

    /// <summary>
    /// The enqueuer's trace context: from the parameters fetched with the job where the storage provides them
    /// (PostgreSQL), else one read of the parameter (Hangfire.Storage.SQLite), paid only while tracing.
    /// </summary>
    private static string? TraceParent(PerformContext context) =>
        context.BackgroundJob.ParametersSnapshot is { } parameters
            ? parameters.TryGetValue(TraceParentParameter, out var raw) ? SerializationHelper.Deserialize<string>(raw) : null
            : context.GetJobParameter<string>(TraceParentParameter);

    /// <summary><c>DeliverOutboxJob.RunAsync</c>: the job's type and method, never its arguments.</summary>
    private static string JobName(Job? job) => job is null ? "unknown" : $"{job.Type.Name}.{job.Method.Name}";
}

/// <summary>
/// Adds <see cref="JobTelemetryFilter"/> to Hangfire's filters for this host only: <c>GlobalJobFilters</c> is a
/// process-wide static, which every host of a test run would add to again.
/// </summary>
internal sealed class TelemetryJobFilterProvider(IJobFilterProvider inner, JobTelemetryFilter filter) : IJobFilterProvider
{
    private readonly JobFilter _filter = new(filter, JobFilterScope.Global, order: null);

    public IEnumerable<JobFilter> GetFilters(Job job) => inner.GetFilters(job).Append(_filter);
}
