using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DisclosureDesk.Benchmarks.Features.Circuits;

/// <summary>
/// One browser tab on the case list, as far as the server can tell: it loads the prerendered page with the
/// session cookie, opens <c>/_blazor</c> (negotiate, then WebSockets, blazorpack) and starts a circuit the way
/// blazor.web.js does (<c>StartCircuit</c>, then <c>UpdateRootComponents</c> with the page's server markers),
/// answers the server's JavaScript calls, acknowledges every render batch, and clicks the list's Next and
/// Previous buttons by dispatching the events through the renderer's interop object, as the script does.
/// </summary>
internal sealed partial class CircuitClient : IAsyncDisposable
{
    private const string AttachRendererInterop = "Blazor._internal.attachWebRendererInterop";
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(2);

    private readonly HubConnection _connection;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pendingCalls = new();
    private readonly Lock _buttons = new();
    private long _interopObjectId;
    private ulong _previousButton;
    private ulong _nextButton;
    private int _nextCallId;
    private bool _onSecondPage;
    private int _errors;

    private CircuitClient(HubConnection connection) => _connection = connection;

    /// <summary>Messages from the server the client did not expect (JS.Error, failed calls); zero in a good run.</summary>
    public int Errors => Volatile.Read(ref _errors);

    public string? LastError { get; private set; }

    /// <summary>The circuit's secret, which the script also keeps (to reconnect, or to end the circuit on unload).</summary>
    public string? CircuitSecret { get; private set; }

    public static async Task<CircuitClient> OpenAsync(HttpClient http, Uri baseAddress, string cookie, CancellationToken cancellationToken)
    {
        var pageUri = new Uri(baseAddress, "cases");
        using var request = new HttpRequestMessage(HttpMethod.Get, pageUri);
        request.Headers.Add("Cookie", cookie);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET /cases answered {(int)response.StatusCode}; is the cookie signed in?");
        }
        var html = await response.Content.ReadAsStringAsync(cancellationToken);
        var markers = ServerMarkers(html);
        if (markers.Count == 0)
        {
            throw new InvalidOperationException("The case list has no interactive server component marker.");
        }
        var applicationState = ComponentState().Match(html) is { Success: true } state ? state.Groups["state"].Value : "";

        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "_blazor"), HttpTransportType.WebSockets, options => options.Headers["Cookie"] = cookie);
        builder.Services.RemoveAll<IHubProtocol>();
        builder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
        var connection = builder.Build();
        // The harness shares two cores with the server; a late pong from the server is load, not a dead server.
        connection.ServerTimeout = TimeSpan.FromMinutes(5);
        var client = new CircuitClient(connection);
        client.Listen();

        await connection.StartAsync(cancellationToken);
        client.CircuitSecret = await connection.InvokeAsync<string?>("StartCircuit", baseAddress.ToString(), pageUri.ToString(), "[]", applicationState, cancellationToken)
            ?? throw new InvalidOperationException($"StartCircuit refused the circuit: {client.LastError}");

        var operations = new JsonObject
        {
            ["batchId"] = 1,
            ["operations"] = new JsonArray(markers.Select((marker, i) => (JsonNode)new JsonObject
            {
                ["type"] = "add",
                ["ssrComponentId"] = i + 1,
                ["marker"] = marker,
            }).ToArray()),
        };
        await connection.SendAsync("UpdateRootComponents", operations.ToJsonString(), applicationState, cancellationToken);
        await client._ready.Task.WaitAsync(ReadyTimeout, cancellationToken);
        return client;
    }

    /// <summary>
    /// Clicks Next (or Previous, when the last click went to the second page) and returns the time from sending
    /// the event to the server's answer to the dispatch call, which it sends once the handler's task has finished.
    /// </summary>
    public async Task<TimeSpan> ClickAsync(CancellationToken cancellationToken)
    {
        ulong handler;
        lock (_buttons)
        {
            handler = _onSecondPage ? _previousButton : _nextButton;
        }
        var callId = Interlocked.Increment(ref _nextCallId).ToString(CultureInfo.InvariantCulture);
        var answered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pendingCalls[callId] = answered;
        var descriptor = new JsonObject { ["eventHandlerId"] = handler, ["eventName"] = "click", ["eventFieldInfo"] = null };
        var arguments = new JsonArray(descriptor, MouseClick()).ToJsonString();

        var started = Stopwatch.GetTimestamp();
        await _connection.SendAsync("BeginInvokeDotNetFromJS", callId, null, "DispatchEventAsync", _interopObjectId, arguments, cancellationToken);
        await answered.Task.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        _onSecondPage = !_onSecondPage;
        return elapsed;
    }

    private static JsonObject MouseClick() => new()
    {
        ["detail"] = 1, ["screenX"] = 640, ["screenY"] = 700, ["clientX"] = 640, ["clientY"] = 600, ["offsetX"] = 20, ["offsetY"] = 10,
        ["pageX"] = 640, ["pageY"] = 900, ["movementX"] = 0, ["movementY"] = 0, ["button"] = 0, ["buttons"] = 0,
        ["ctrlKey"] = false, ["shiftKey"] = false, ["altKey"] = false, ["metaKey"] = false, ["type"] = "click",
    };

    private void Listen()
    {
        _connection.On<long, byte[]>("JS.RenderBatch", OnRenderBatchAsync);
        _connection.On<long, string, string, int, long, int>("JS.BeginInvokeJS", OnBeginInvokeJSAsync);
        _connection.On<string, bool, string?>("JS.EndInvokeDotNet", OnEndInvokeDotNet);
        _connection.On<string>("JS.Error", error => Fail($"JS.Error: {error}"));
        _connection.On<long>("JS.EndUpdateRootComponents", _ => { });
    }

    private async Task OnRenderBatchAsync(long batchId, byte[] data)
    {
        string? error = null;
        try
        {
            TrackButtons(RenderBatchReader.Read(data));
        }
        catch (Exception exception) when (exception is ArgumentException or IndexOutOfRangeException or InvalidOperationException)
        {
            error = exception.Message;
            Fail($"Render batch {batchId}: {exception.Message}");
        }
        await _connection.SendAsync("OnRenderCompleted", batchId, error);
    }

    /// <summary>
    /// Finds the two paging buttons' click handlers: each button element is followed by its attributes (one of them
    /// onclick, with its handler id) and then its text. A later batch may replace a handler; then the batch carries
    /// the new onclick attributes, in document order, and the old ids among the disposed ones.
    /// </summary>
    private void TrackButtons(RenderBatchReader.Batch batch)
    {
        lock (_buttons)
        {
            ulong lastClick = 0;
            var unlabelled = new List<ulong>();
            foreach (var frame in batch.ReferenceFrames)
            {
                switch (frame.Type)
                {
                    case RenderBatchReader.FrameType.Element:
                        if (lastClick != 0)
                        {
                            unlabelled.Add(lastClick);
                        }
                        lastClick = 0;
                        break;
                    case RenderBatchReader.FrameType.Attribute when frame is { Name: "onclick", EventHandlerId: > 0 }:
                        lastClick = frame.EventHandlerId;
                        break;
                    case RenderBatchReader.FrameType.Text or RenderBatchReader.FrameType.Markup when lastClick != 0:
                        switch (frame.Value?.Trim())
                        {
                            case "Previous": _previousButton = lastClick; break;
                            case "Next": _nextButton = lastClick; break;
                        }
                        lastClick = 0;
                        break;
                }
            }
            if (lastClick != 0)
            {
                unlabelled.Add(lastClick);
            }
            if (batch.DisposedEventHandlerIds.Contains(_nextButton) || batch.DisposedEventHandlerIds.Contains(_previousButton))
            {
                if (unlabelled.Count != 2)
                {
                    Fail($"The paging buttons' handlers were replaced by {unlabelled.Count} new click handlers, not 2.");
                    return;
                }
                (_previousButton, _nextButton) = (unlabelled[0], unlabelled[1]);
            }
            SignalReadyIfSo();
        }
    }

    /// <summary>Ready to click once both buttons and the interop object are known, in whichever order they came.</summary>
    private void SignalReadyIfSo()
    {
        if (_nextButton != 0 && _previousButton != 0 && _interopObjectId != 0)
        {
            _ready.TrySetResult();
        }
    }

    private async Task OnBeginInvokeJSAsync(long taskId, string identifier, string argumentsJson, int resultType, long targetInstanceId, int callType)
    {
        if (identifier == AttachRendererInterop)
        {
            // Arguments: the renderer id and a DotNetObjectReference ({"__dotNetObject": id}) through which the
            // script dispatches events.
            using var arguments = JsonDocument.Parse(argumentsJson);
            lock (_buttons)
            {
                _interopObjectId = arguments.RootElement.EnumerateArray()
                    .First(a => a.ValueKind == JsonValueKind.Object && a.TryGetProperty("__dotNetObject", out _))
                    .GetProperty("__dotNetObject").GetInt64();
                SignalReadyIfSo();
            }
        }
        if (taskId != 0)
        {
            // Nothing on the case list uses a call's result; the script answers [taskId, succeeded, result].
            await _connection.SendAsync("EndInvokeJSFromDotNet", taskId, true, $"[{taskId},true,null]");
        }
    }

    private void OnEndInvokeDotNet(string callId, bool succeeded, string? resultOrError)
    {
        if (!succeeded)
        {
            Fail($"Dispatching event {callId} failed: {resultOrError}");
        }
        if (_pendingCalls.TryRemove(callId, out var pending))
        {
            pending.TrySetResult();
        }
    }

    private void Fail(string error)
    {
        Interlocked.Increment(ref _errors);
        LastError = error;
        _ready.TrySetException(new InvalidOperationException(error));
    }

    /// <summary>Each <c>&lt;!--Blazor:{...}--&gt;</c> start marker of an interactive server component, in sequence order.</summary>
    private static List<JsonNode> ServerMarkers(string html) =>
        Marker().Matches(html)
            .Select(match => JsonNode.Parse(match.Groups["json"].Value)!)
            .Where(marker => (string?)marker["type"] == "server" && marker["descriptor"] is not null)
            .OrderBy(marker => (int?)marker["sequence"] ?? 0)
            .ToList();

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync();

    [GeneratedRegex("<!--Blazor:(?<json>\\{.*?\\})-->", RegexOptions.Singleline)]
    private static partial Regex Marker();

    [GeneratedRegex("<!--Blazor-Server-Component-State:(?<state>[a-zA-Z0-9+/=]+)-->")]
    private static partial Regex ComponentState();
}
