namespace DisclosureDesk.Infrastructure.Email;

/// <summary>What became of one delivery attempt, as far as the sender can know.</summary>
public enum DeliveryOutcome
{
    /// <summary>The server took responsibility for the message (2xx after the data).</summary>
    Delivered,
    /// <summary>Not delivered, and trying again later may work: a 4xx reply, or no connection before the message was complete.</summary>
    Transient,
    /// <summary>Refused for good with a 5xx reply; sending it again would be refused again.</summary>
    Permanent,
    /// <summary>The whole message was sent but the connection was lost before the reply: it may or may not have been accepted.</summary>
    Unknown,
    /// <summary>
    /// The sender was told to stop (the app is shutting down) before the message's end was written: the server cannot
    /// have accepted it, and it may be sent again at once. Not a failure of the server's.
    /// </summary>
    Abandoned,
}

/// <param name="Detail">The server's reply, or what went wrong, in words a researcher can act on.</param>
/// <param name="ReplyCode">The server's SMTP reply code when it refused the message; null when there was no reply (a lost connection).</param>
public sealed record DeliveryResult(DeliveryOutcome Outcome, string Detail, int? ReplyCode = null);

/// <summary>Hands a rendered message to the outside world. Implementations classify, never throw, for delivery failures.</summary>
public interface IMailTransport
{
    /// <summary>
    /// Whether sending a message again after an interrupted attempt can never produce a second copy. When it can,
    /// an interrupted attempt is reported as unknown instead of being repeated.
    /// </summary>
    bool ResendIsHarmless { get; }

    /// <param name="message">The exact bytes of the RFC 5322 message, as stored in the outbox.</param>
    /// <param name="cancellationToken">
    /// Stops the attempt: the result is then <see cref="DeliveryOutcome.Abandoned"/> if the message's end was not yet
    /// written, and <see cref="DeliveryOutcome.Unknown"/> if it was and the reply had not yet come.
    /// </param>
    Task<DeliveryResult> SendAsync(ReadOnlyMemory<byte> message, string messageId, CancellationToken cancellationToken);
}
