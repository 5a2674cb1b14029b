using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using DisclosureDesk.IntegrationTests.Features.Notifications;
using DisclosureDesk.IntegrationTests.Infrastructure.ScaleOut;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Telemetry;

/// <summary>
/// The built app, configured as an operator would (environment variables only), sending to an OTLP/HTTP receiver on
/// Kestrel: what reaches a collector, not what an in-memory exporter would have been handed.
/// </summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task Export_WithAnOtlpHttpEndpoint_PostsTracesAndMetricsAsProtobufUnderTheServiceName()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var collector = await OtlpReceiver.StartAsync(cancellationToken);
        await using var instance = AppInstance.Start("otlp", new Dictionary<string, string?>
        {
            ["OpenTelemetry:OtlpEndpoint"] = collector.Endpoint.ToString(),
            ["OpenTelemetry:OtlpProtocol"] = "HttpProtobuf",
            ["OpenTelemetry:ServiceName"] = "disclosuredesk-otlp-test",
            ["OpenTelemetry:MetricsIntervalSeconds"] = "1",
        });
        await instance.WaitUntilReadyAsync(cancellationToken);

        using (var browser = new HttpClient { BaseAddress = instance.BaseAddress })
        using (var login = await browser.GetAsync(new Uri("/Account/Login", UriKind.Relative), cancellationToken))
        {
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        }

        // OTLP's protobuf carries strings as plain UTF-8, so the service name, the request's path and the metric names
        // can be found in the bodies without decoding them.
        // Metrics are cumulative: an export taken before the first request ended lacks the request metric, a later one has both.
        var traces = await collector.WaitForAsync("/v1/traces", ["/Account/Login"], cancellationToken);
        var metrics = await collector.WaitForAsync("/v1/metrics", ["disclosuredesk.outbox.due", "http.server.request.duration"], cancellationToken);
        Assert.All(new[] { traces, metrics }, post => Assert.Equal("application/x-protobuf", post.ContentType));
        Assert.All(new[] { traces, metrics }, post => Assert.Contains("disclosuredesk-otlp-test", post.Text, StringComparison.Ordinal));
        // Health probes are left out of the traces: they would drown everything else.
        Assert.DoesNotContain(collector.Posts, post => post.Path == "/v1/traces" && post.Text.Contains("/health/ready", StringComparison.Ordinal));
    }

    private sealed record Post(string Path, string? ContentType, string Text);

    /// <summary>An OTLP/HTTP endpoint that accepts every export and keeps what was posted.</summary>
    private sealed class OtlpReceiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private OtlpReceiver(WebApplication app, Uri endpoint)
        {
            _app = app;
            Endpoint = endpoint;
        }

        public Uri Endpoint { get; }

        public ConcurrentQueue<Post> Posts { get; } = new();

        public static async Task<OtlpReceiver> StartAsync(CancellationToken cancellationToken)
        {
            var endpoint = new Uri($"http://127.0.0.1:{TestSmtpServer.FreePort()}/");
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls(endpoint.ToString());
            var app = builder.Build();
            var receiver = new OtlpReceiver(app, endpoint);
            app.MapPost("/v1/{signal}", async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
                receiver.Posts.Enqueue(new Post(request.Path, request.ContentType, Encoding.UTF8.GetString(body.ToArray())));
                return Results.Ok();
            });
            await app.StartAsync(cancellationToken);
            return receiver;
        }

        /// <summary>Waits (bounded) for a post to <paramref name="path"/> that contains every one of <paramref name="texts"/>.</summary>
        public async Task<Post> WaitForAsync(string path, string[] texts, CancellationToken cancellationToken)
        {
            var waited = Stopwatch.StartNew();
            while (waited.Elapsed < TimeSpan.FromSeconds(60))
            {
                if (Posts.FirstOrDefault(post => post.Path == path && texts.All(text => post.Text.Contains(text, StringComparison.Ordinal))) is { } found)
                {
                    return found;
                }
                await Task.Delay(200, cancellationToken);
            }
            Assert.Fail($"No post to {path} containing '{string.Join("', '", texts)}' in 60 s; posts: {string.Join(", ", Posts.Select(post => $"{post.Path} ({post.Text.Length} chars)"))}.");
            return null!;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
