using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using DisclosureDesk.Infrastructure.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Telemetry;

/// <summary>
/// The app's own instrumentation (the lists production exports over OTLP) with in-memory exporters instead:
/// spans as they end, metrics when <see cref="Collect"/> asks for them.
/// </summary>
public sealed class TelemetryCapture
{
    public SafeCollection<Activity> Spans { get; } = new();

    private SafeCollection<MetricSnapshot> Metrics { get; } = new();

    /// <summary>Pass as <see cref="DisclosureDeskFactory.ExtraServices"/>.</summary>
    /// <remarks>
    /// Every span is sampled, whatever its parent says: earlier tests in the same process leave HTTP diagnostics
    /// listening, so a test client may send a traceparent of an unsampled span, which the default parent-based
    /// sampler would follow and drop the request's span.
    /// </remarks>
    public void AddTo(IServiceCollection services) => services.AddOpenTelemetry()
        .WithTracing(tracing => tracing.SetSampler(new AlwaysOnSampler()).AddDisclosureDeskInstrumentation().AddInMemoryExporter(Spans))
        .WithMetrics(metrics => metrics.AddDisclosureDeskInstrumentation().AddInMemoryExporter(Metrics));

    /// <summary>Every metric's current value (cumulative), collected now, gauges observed now.</summary>
    public IReadOnlyList<MetricSnapshot> Collect(IServiceProvider services)
    {
        Metrics.Clear();
        Assert.True(services.GetRequiredService<MeterProvider>().ForceFlush(10_000));
        return [.. Metrics];
    }

    /// <summary>The sum of the counter <paramref name="name"/> over the points whose tags include <paramref name="tag"/>; 0 if never recorded.</summary>
    public static long Sum(IReadOnlyList<MetricSnapshot> metrics, string name, (string Key, string Value) tag) =>
        Points(metrics, name).Where(p => HasTag(p, tag)).Sum(p => p.GetSumLong());

    /// <summary>How many values the histogram <paramref name="name"/> recorded with both tags.</summary>
    public static long HistogramCount(IReadOnlyList<MetricSnapshot> metrics, string name, (string Key, string Value) tag, (string Key, string Value) other) =>
        Points(metrics, name).Where(p => HasTag(p, tag) && HasTag(p, other)).Sum(p => p.GetHistogramCount());

    public static long GaugeLong(IReadOnlyList<MetricSnapshot> metrics, string name) => Assert.Single(Points(metrics, name)).GetGaugeLastValueLong();

    public static double GaugeDouble(IReadOnlyList<MetricSnapshot> metrics, string name) => Assert.Single(Points(metrics, name)).GetGaugeLastValueDouble();

    private static IEnumerable<MetricPoint> Points(IReadOnlyList<MetricSnapshot> metrics, string name) =>
        metrics.Where(m => m.Name == name).SelectMany(m => m.MetricPoints);

    private static bool HasTag(MetricPoint point, (string Key, string Value) tag)
    {
        foreach (var pair in point.Tags)
        {
            if (pair.Key == tag.Key && Equals(pair.Value, tag.Value))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>The exporters add from the request, job and metric threads at once; a plain list would tear.</summary>
public sealed class SafeCollection<T> : ICollection<T>
{
    private readonly ConcurrentQueue<T> _items = new();

    public int Count => _items.Count;

    public bool IsReadOnly => false;

    public void Add(T item) => _items.Enqueue(item);

    public void Clear() => _items.Clear();

    public bool Contains(T item) => _items.Contains(item);

    public void CopyTo(T[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);

    public bool Remove(T item) => throw new NotSupportedException();

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)_items.ToArray()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
