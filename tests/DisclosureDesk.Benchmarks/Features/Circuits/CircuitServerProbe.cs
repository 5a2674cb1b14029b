using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime;
using DisclosureDesk.Benchmarks.Features.Circuits;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

[assembly: HostingStartup(typeof(CircuitServerProbe))]

namespace DisclosureDesk.Benchmarks.Features.Circuits;

/// <summary>
/// What the circuit load test adds to the real app in the server process, through a hosting startup (the app's
/// own code is not changed): <c>GET /_benchmark/memory</c> forces a full compacting collection and reports the
/// process's working set and GC heap with the number of open circuits; <c>GET /_benchmark/events</c> hands over
/// (and clears) the server's own timing of each click, the framework's <c>aspnetcore.components.handle_event.duration</c>
/// histogram. Only the load test's server process loads this assembly as a hosting startup.
/// </summary>
internal sealed class CircuitServerProbe : IHostingStartup
{
    private const string ComponentsMeter = "Microsoft.AspNetCore.Components";
    private const string HandleEventInstrument = "aspnetcore.components.handle_event.duration";

    private static readonly ConcurrentQueue<double> EventMilliseconds = new();
    private static int _openCircuits;
    private static MeterListener? _listener;

    public void Configure(IWebHostBuilder builder)
    {
        StartListening();
        builder.ConfigureServices(services =>
        {
            services.AddSingleton<CircuitHandler, CountingCircuitHandler>();
            services.AddTransient<IStartupFilter, ProbeEndpoints>();
        });
    }

    private static void StartListening()
    {
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ComponentsMeter && instrument.Name == HandleEventInstrument)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "aspnetcore.components.attribute.name", Value: "onclick" })
                {
                    EventMilliseconds.Enqueue(seconds * 1000);
                    return;
                }
            }
        });
        _listener.Start();
    }

    private sealed class CountingCircuitHandler : CircuitHandler
    {
        public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _openCircuits);
            return Task.CompletedTask;
        }

        public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
        {
            Interlocked.Decrement(ref _openCircuits);
            return Task.CompletedTask;
        }
    }

    private sealed class ProbeEndpoints : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path == "/_benchmark/memory")
                {
                    await context.Response.WriteAsJsonAsync(Measure());
                }
                else if (context.Request.Path == "/_benchmark/events")
                {
                    var drained = new List<double>();
                    while (EventMilliseconds.TryDequeue(out var milliseconds))
                    {
                        drained.Add(milliseconds);
                    }
                    await context.Response.WriteAsJsonAsync(drained);
                }
                else
                {
                    await nextMiddleware(context);
                }
            });
            next(app);
        };

        private static ServerMemory Measure()
        {
            // Twice, so objects kept alive only by finalizers are gone too; compacting, so the heap is what is live.
            for (var i = 0; i < 2; i++)
            {
                GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
            }
            using var process = Process.GetCurrentProcess();
            return new ServerMemory(
                Volatile.Read(ref _openCircuits),
                process.WorkingSet64,
                GC.GetTotalMemory(forceFullCollection: false),
                GC.GetGCMemoryInfo(GCKind.Any).TotalCommittedBytes,
                process.TotalProcessorTime.TotalMilliseconds,
                GCSettings.IsServerGC);
        }
    }
}

/// <summary>The server process's memory as <c>/_benchmark/memory</c> reports it.</summary>
internal sealed record ServerMemory(int OpenCircuits, long WorkingSetBytes, long GcHeapBytes, long GcCommittedBytes, double CpuMilliseconds, bool ServerGc);
