using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.IntegrationTests.Features.Notifications;

/// <summary>What the tests that run delivery jobs themselves share.</summary>
internal static class OutboxTestKit
{
    /// <summary>For tests about delivery itself; pacing has its own (<see cref="OutboxPacingTests"/>).</summary>
    public static readonly SendPacer Unpaced = new(Options.Create(new EmailOptions { Pacing = { MessagesPerMinute = 0, PerDomainPerMinute = 0 } }), new InMemorySendPacingLanes());

    /// <summary>Plain SMTP to the test server on loopback.</summary>
    public static SmtpMailTransport SmtpTransport(int port, TimeProvider time) => new(
        Options.Create(new EmailOptions { Smtp = { Host = "127.0.0.1", Port = port, Security = SmtpSecurity.None, TimeoutSeconds = 10 } }),
        time,
        NullLogger<SmtpMailTransport>.Instance);

    /// <summary>
    /// A delivery run takes every due row of the shared database, so a test that counts what arrives first cancels
    /// what earlier tests left waiting.
    /// </summary>
    public static Task CancelPendingAsync(DisclosureDeskFactory app) =>
        app.ExecuteDbContextAsync(db => db.OutboxMessages
            .Where(m => m.State == OutboxState.Due || m.State == OutboxState.Scheduled || m.State == OutboxState.Sending)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Cancelled), TestContext.Current.CancellationToken));
}
