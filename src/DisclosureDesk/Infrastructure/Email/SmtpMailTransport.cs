using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DisclosureDesk.Infrastructure.Email;

/// <summary>
/// Delivers through an SMTP server with MailKit and says honestly what happened: only a failure before the whole
/// message was written is safe to retry, because the server cannot have accepted a message whose end it never saw.
/// </summary>
/// <remarks>
/// A connection that just delivered a message goes back to an idle pool and carries the next one, so a batch
/// costs one connect, TLS handshake and login per concurrent sender (at most one per Hangfire worker) instead of
/// one per message. Any other outcome closes the connection: after a refusal or a lost connection the session's
/// state is not worth trusting, and after an unknown outcome it must not carry anything more.
/// </remarks>
public sealed class SmtpMailTransport(IOptions<EmailOptions> options, TimeProvider time, ILogger<SmtpMailTransport> logger)
    : IMailTransport, IDisposable
{
    /// <summary>
    /// RFC 5321 asks servers to wait 5 minutes for the next command, but many close idle sessions sooner; past this
    /// age an idle connection is closed rather than risked.
    /// </summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();

    // Oldest first, so the most recently used connection (the likeliest to be alive) is taken next and the
    // expired ones collect at the front.
    private readonly List<IdleConnection> _idle = [];
    private bool _disposed;

    public bool ResendIsHarmless => false;

    public async Task<DeliveryResult> SendAsync(ReadOnlyMemory<byte> message, string messageId, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        var host = smtp.Host ?? throw new InvalidOperationException("Email:Smtp:Host is not set; the pickup folder transport should be in use.");
        MimeMessage mime;
        using (var stream = new MemoryStream(message.ToArray(), writable: false))
        {
            // In memory, so not worth abandoning the attempt for.
            mime = await MimeMessage.LoadAsync(stream, CancellationToken.None);
        }

        if (TakeIdle() is { } reused)
        {
            var attempt = await SendOverAsync(reused, mime, messageId, smtp, cancellationToken);
            if (!attempt.LostBeforeTheEnd)
            {
                return await FinishAsync(reused, attempt);
            }
            // Most likely the server closed the idle session. It never saw this message's end, so a new
            // connection may try at once instead of the message waiting a retry interval.
            reused.Dispose();
            logger.LogDebug("Reused connection to {Host} was gone; sending {MessageId} on a new one: {Detail}", host, messageId, attempt.Result.Detail);
        }

        var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        try
        {
            await client.ConnectAsync(host, smtp.Port, SocketOptions(smtp.Security), cancellationToken);
            if (!string.IsNullOrEmpty(smtp.UserName))
            {
                await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
            }
        }
        catch (SmtpCommandException e)
        {
            await CloseAsync(client);
            return Refused(e);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            client.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                return Abandoned(smtp);
            }
            // Includes rejected credentials: a configuration mistake the administrator can fix, so the mail waits.
            return new DeliveryResult(DeliveryOutcome.Transient, $"Could not connect to {smtp.Host}:{smtp.Port}: {e.Message}");
        }
        catch
        {
            client.Dispose();
            throw;
        }
        return await FinishAsync(client, await SendOverAsync(client, mime, messageId, smtp, cancellationToken));
    }

    public void Dispose()
    {
        List<IdleConnection> idle;
        lock (_gate)
        {
            _disposed = true;
            idle = [.. _idle];
            _idle.Clear();
        }
        foreach (var connection in idle)
        {
            connection.Client.Dispose();
        }
    }

    private sealed record Attempt(DeliveryResult Result, bool LostBeforeTheEnd = false);

    private sealed record IdleConnection(SmtpClient Client, long Since);

    private async Task<Attempt> SendOverAsync(SmtpClient client, MimeMessage mime, string messageId, SmtpOptions smtp, CancellationToken cancellationToken)
    {
        var progress = new BodyProgress();
        try
        {
            var reply = await client.SendAsync(FormatOptions.Default, mime, cancellationToken, progress);
            return new Attempt(new DeliveryResult(DeliveryOutcome.Delivered, reply));
        }
        catch (SmtpCommandException e)
        {
            return new Attempt(Refused(e));
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            // Whether the attempt was cut short by the network or by a stop request, once the whole message is out
            // the server may have accepted it.
            if (progress.WholeMessageWritten)
            {
                logger.LogWarning(e, "Connection to {Host} lost after {MessageId} was sent, before the server replied", smtp.Host, messageId);
                return new Attempt(new DeliveryResult(DeliveryOutcome.Unknown, cancellationToken.IsCancellationRequested
                    ? $"The app stopped after the message was sent to {smtp.Host} and before the server replied."
                    : $"The connection to {smtp.Host} was lost after the message was sent and before the server replied: {e.Message}"));
            }
            if (cancellationToken.IsCancellationRequested)
            {
                return new Attempt(Abandoned(smtp));
            }
            return new Attempt(
                new DeliveryResult(DeliveryOutcome.Transient, $"The connection to {smtp.Host} was lost before the message was sent: {e.Message}"),
                LostBeforeTheEnd: true);
        }
    }

    private async Task<DeliveryResult> FinishAsync(SmtpClient client, Attempt attempt)
    {
        if (attempt.Result.Outcome == DeliveryOutcome.Delivered && client.IsConnected)
        {
            ReturnIdle(client);
        }
        else
        {
            await CloseAsync(client);
        }
        return attempt.Result;
    }

    private SmtpClient? TakeIdle()
    {
        lock (_gate)
        {
            while (_idle.Count > 0)
            {
                var newest = _idle[^1];
                _idle.RemoveAt(_idle.Count - 1);
                if (newest.Client.IsConnected && time.GetElapsedTime(newest.Since) < IdleLimit)
                {
                    return newest.Client;
                }
                // Everything older is expired too.
                foreach (var expired in _idle.Append(newest))
                {
                    expired.Client.Dispose();
                }
                _idle.Clear();
            }
            return null;
        }
    }

    private void ReturnIdle(SmtpClient client)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                client.Dispose();
                return;
            }
            var expired = _idle.TakeWhile(c => time.GetElapsedTime(c.Since) >= IdleLimit).ToList();
            _idle.RemoveRange(0, expired.Count);
            foreach (var connection in expired)
            {
                connection.Client.Dispose();
            }
            _idle.Add(new IdleConnection(client, time.GetTimestamp()));
        }
    }

    private static DeliveryResult Abandoned(SmtpOptions smtp) =>
        new(DeliveryOutcome.Abandoned, $"Stopped before the message was sent to {smtp.Host} (the app was shutting down).");

    private static DeliveryResult Refused(SmtpCommandException e)
    {
        var code = (int)e.StatusCode;
        var outcome = code is >= 400 and < 500 ? DeliveryOutcome.Transient : DeliveryOutcome.Permanent;
        return new DeliveryResult(outcome, $"{code} {e.Message}", code);
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is IOException or System.Net.Sockets.SocketException or SmtpProtocolException or SslHandshakeException
            or AuthenticationException or TimeoutException or OperationCanceledException or ServiceNotConnectedException;

    private static async Task CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync(quit: true);
            }
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            // The message's fate is already decided; a failed QUIT changes nothing.
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>
    /// Connects, signs in when credentials are configured, and says goodbye, sending nothing: whether mail could go
    /// out now. Throws what MailKit throws when it could not.
    /// </summary>
    public static async Task ProbeAsync(SmtpOptions smtp, CancellationToken cancellationToken)
    {
        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
        await client.ConnectAsync(smtp.Host ?? throw new InvalidOperationException("Email:Smtp:Host is not set."), smtp.Port, SocketOptions(smtp.Security), cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "", cancellationToken);
        }
        await client.DisconnectAsync(quit: true, cancellationToken);
    }

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    /// <summary>
    /// MailKit reports the DATA bytes as it writes them; once all of them are out, only the terminator and the
    /// reply remain, and from then on a lost connection leaves the outcome unknown.
    /// </summary>
    private sealed class BodyProgress : ITransferProgress
    {
        private long _transferred;
        private long _total = -1;

        public bool WholeMessageWritten => _transferred > 0 && (_total < 0 || _transferred >= _total);

        public void Report(long bytesTransferred, long totalSize)
        {
            _transferred = bytesTransferred;
            _total = totalSize;
        }

        public void Report(long bytesTransferred) => _transferred = bytesTransferred;
    }
}
