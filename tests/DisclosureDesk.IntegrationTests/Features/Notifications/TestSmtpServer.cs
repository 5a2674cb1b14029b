using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>How the test server answers the end of a message's data.</summary>
public enum SmtpBehaviour
{
    Accept,
    /// <summary>451: try again later.</summary>
    TemporaryFailure,
    /// <summary>421: service not available, closing.</summary>
    ServiceUnavailable,
    /// <summary>550: refused for good.</summary>
    Reject,
    /// <summary>Receives the whole message, then closes the connection without a reply.</summary>
    DropAfterData,
    /// <summary>Accepts the message, then closes the connection, as a server does with a session idle too long.</summary>
    AcceptThenHangUp,
}

/// <summary>
/// A real SMTP server (the SmtpServer package) on a loopback port, recording the raw bytes of every message it
/// accepts. Tests set how it answers the next messages.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly ConcurrentQueue<SmtpBehaviour> _next = new();

    private TestSmtpServer(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("smtp.test")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new RecordingStore(this));
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) => Interlocked.Increment(ref _sessionCount);
        _server.SessionCompleted += (_, _) => Interlocked.Increment(ref _endedSessionCount);
        _server.SessionFaulted += (_, _) => Interlocked.Increment(ref _endedSessionCount);
        _running = _server.StartAsync(_stop.Token);
    }

    public int Port { get; }

    /// <summary>
    /// The raw bytes of each accepted message, in order: dot-stuffing removed and, as SmtpServer reads it, without
    /// the CRLF that ends the last line (it treats that CRLF as part of the CRLF.CRLF terminator).
    /// </summary>
    public ConcurrentQueue<byte[]> Received { get; } = new();

    /// <summary>How long the server takes to answer a message it accepts (it has the message by then), as a busy one would.</summary>
    public TimeSpan ReplyDelay { get; set; }

    /// <summary>Every DATA the server saw, accepted or not.</summary>
    public int DataCount => _dataCount;

    private int _dataCount;

    /// <summary>Every SMTP session (connection) a client opened.</summary>
    public int SessionCount => _sessionCount;

    private int _sessionCount;

    /// <summary>Sessions that are over, whoever ended them.</summary>
    public int EndedSessionCount => _endedSessionCount;

    private int _endedSessionCount;

    public static TestSmtpServer Start() => new(FreePort());

    /// <summary>A loopback port nothing listens on, for "server down".</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Answers the next <paramref name="count"/> messages with <paramref name="behaviour"/>, then accepts again.</summary>
    public void Then(SmtpBehaviour behaviour, int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _next.Enqueue(behaviour);
        }
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

    private sealed class RecordingStore(TestSmtpServer server) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            var response = Answer(context, buffer);
            if (response == SmtpResponse.Ok && server.ReplyDelay > TimeSpan.Zero)
            {
                await Task.Delay(server.ReplyDelay, cancellationToken);
            }
            return response;
        }

        private SmtpResponse Answer(ISessionContext context, ReadOnlySequence<byte> buffer)
        {
            Interlocked.Increment(ref server._dataCount);
            var behaviour = server._next.TryDequeue(out var b) ? b : SmtpBehaviour.Accept;
            switch (behaviour)
            {
                case SmtpBehaviour.TemporaryFailure:
                    return new SmtpResponse((SmtpReplyCode)451, "4.3.0 Try again later");
                case SmtpBehaviour.ServiceUnavailable:
                    return new SmtpResponse(SmtpReplyCode.ServiceUnavailable, "4.3.2 Service not available, closing");
                case SmtpBehaviour.Reject:
                    return new SmtpResponse((SmtpReplyCode)550, "5.1.1 Mailbox unavailable: no such user");
                case SmtpBehaviour.DropAfterData:
                    // Closing the session's stream closes the socket, so the client never gets a reply.
                    ((IDisposable)context.Pipe).Dispose();
                    return SmtpResponse.Ok;
                case SmtpBehaviour.AcceptThenHangUp:
                    server.Received.Enqueue(buffer.ToArray());
                    // Closed once the reply has gone out, so the client learns of it only when it next writes.
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(100, CancellationToken.None);
                        ((IDisposable)context.Pipe).Dispose();
                    }, CancellationToken.None);
                    return SmtpResponse.Ok;
                default:
                    server.Received.Enqueue(buffer.ToArray());
                    return SmtpResponse.Ok;
            }
        }
    }
}
