using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using System.IO.Pipelines;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace DisclosureDesk.Benchmarks.Features.Notifications;

/// <summary>
/// An SMTP server (the SmtpServer package) on a loopback port that accepts everything and counts each
/// Message-ID it receives, so a run can tell a duplicate from a missing message.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private int _received;
    private int _sessions;

    private SmtpSink(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("sink.benchmark")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new CountingStore(this));
        services.Add(new NoDelayListenerFactory());
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) => Interlocked.Increment(ref _sessions);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    public int Received => Volatile.Read(ref _received);

    public int Sessions => Volatile.Read(ref _sessions);

    public ConcurrentDictionary<string, int> MessageIds { get; } = new(StringComparer.Ordinal);

    /// <summary>When each Message-ID first arrived (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public ConcurrentDictionary<string, long> Arrivals { get; } = new(StringComparer.Ordinal);

    public static SmtpSink Start()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new SmtpSink(port);
    }

    /// <summary>Forgets what arrived, between the phases of a run.</summary>
    public void Reset()
    {
        MessageIds.Clear();
        Arrivals.Clear();
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _sessions, 0);
    }

    public async Task<bool> WaitForAsync(int count, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Received < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }
        return Received >= count;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _server.Shutdown();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class CountingStore(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            using var stream = new MemoryStream(buffer.ToArray(), writable: false);
            var headers = await HeaderList.LoadAsync(stream, cancellationToken);
            var messageId = MimeKit.Utils.MimeUtils.ParseMessageId(headers[HeaderId.MessageId] ?? "") ?? "";
            sink.MessageIds.AddOrUpdate(messageId, 1, (_, seen) => seen + 1);
            sink.Arrivals.TryAdd(messageId, System.Diagnostics.Stopwatch.GetTimestamp());
            Interlocked.Increment(ref sink._received);
            return SmtpResponse.Ok;
        }
    }

    /// <summary>
    /// SmtpServer's own listener leaves Nagle's algorithm on, and its replies then wait for delayed ACKs (40 ms a
    /// message on Linux loopback), which would make the sink, not the sender, the bottleneck.
    /// </summary>
    private sealed class NoDelayListenerFactory : IEndpointListenerFactory
    {
        public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
        {
            var listener = new TcpListener(endpointDefinition.Endpoint);
            listener.Start();
            return new NoDelayListener(listener);
        }
    }

    private sealed class NoDelayListener(TcpListener listener) : IEndpointListener
    {
        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            var client = await listener.AcceptTcpClientAsync(cancellationToken);
            client.NoDelay = true;
            return new PlainPipe(client);
        }

        public void Dispose() => listener.Stop();
    }

    /// <summary>The sink speaks plain SMTP on loopback only, so it has no TLS to upgrade to.</summary>
    private sealed class PlainPipe(TcpClient client) : ISecurableDuplexPipe
    {
        private readonly NetworkStream _stream = client.GetStream();

        public PipeReader Input => field ??= PipeReader.Create(_stream);

        public PipeWriter Output => field ??= PipeWriter.Create(_stream);

        public bool IsSecure => false;

        public SslProtocols SslProtocol => SslProtocols.None;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The benchmark sink does not offer STARTTLS.");

        public void Dispose() => client.Dispose();
    }
}
