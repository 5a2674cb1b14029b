using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace DisclosureDesk.Infrastructure.Email;

/// <summary>
/// Delivers through an SMTP server with MailKit, one connection per message, and says honestly what happened:
/// only a failure before the whole message was written is safe to retry, because the server cannot have
/// accepted a message whose end it never saw.
/// </summary>
public sealed class SmtpMailTransport(IOptions<EmailOptions> options, ILogger<SmtpMailTransport> logger) : IMailTransport
{
    public bool ResendIsHarmless => false;

    public async Task<DeliveryResult> SendAsync(ReadOnlyMemory<byte> message, string messageId, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        var host = smtp.Host ?? throw new InvalidOperationException("Email:Smtp:Host is not set; the pickup folder transport should be in use.");
        MimeMessage mime;
        using (var stream = new MemoryStream(message.ToArray(), writable: false))
        {
            mime = await MimeMessage.LoadAsync(stream, cancellationToken);
        }

        using var client = new SmtpClient { Timeout = smtp.TimeoutSeconds * 1000 };
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
            return Refused(e);
        }
        catch (Exception e) when (IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            // Includes rejected credentials: a configuration mistake the administrator can fix, so the mail waits.
            return new DeliveryResult(DeliveryOutcome.Transient, $"Could not connect to {smtp.Host}:{smtp.Port}: {e.Message}");
        }

        var progress = new BodyProgress();
        try
        {
            var reply = await client.SendAsync(FormatOptions.Default, mime, cancellationToken, progress);
            await DisconnectQuietlyAsync(client);
            return new DeliveryResult(DeliveryOutcome.Delivered, reply);
        }
        catch (SmtpCommandException e)
        {
            await DisconnectQuietlyAsync(client);
            return Refused(e);
        }
        catch (Exception e) when (IsConnectionFailure(e) && !cancellationToken.IsCancellationRequested)
        {
            if (progress.WholeMessageWritten)
            {
                logger.LogWarning(e, "Connection to {Host} lost after {MessageId} was sent, before the server replied", smtp.Host, messageId);
                return new DeliveryResult(DeliveryOutcome.Unknown,
                    $"The connection to {smtp.Host} was lost after the message was sent and before the server replied: {e.Message}");
            }
            return new DeliveryResult(DeliveryOutcome.Transient, $"The connection to {smtp.Host} was lost before the message was sent: {e.Message}");
        }
    }

    private static DeliveryResult Refused(SmtpCommandException e)
    {
        var code = (int)e.StatusCode;
        var outcome = code is >= 400 and < 500 ? DeliveryOutcome.Transient : DeliveryOutcome.Permanent;
        return new DeliveryResult(outcome, $"{code} {e.Message}");
    }

    private static bool IsConnectionFailure(Exception e) =>
        e is IOException or System.Net.Sockets.SocketException or SmtpProtocolException or SslHandshakeException
            or AuthenticationException or TimeoutException or OperationCanceledException or ServiceNotConnectedException;

    private static async Task DisconnectQuietlyAsync(SmtpClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }
        try
        {
            await client.DisconnectAsync(quit: true);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            // The message's fate is already decided; a failed QUIT changes nothing.
        }
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
