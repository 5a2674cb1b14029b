namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// When to try again after a temporary failure. Mail servers keep retrying for days (RFC 5321 suggests at
/// least 4–5), so a greylisting or briefly broken server still gets the notification.
/// </summary>
public static class OutboxRetryPolicy
{
    private static readonly TimeSpan[] Delays =
    [
        TimeSpan.FromMinutes(1),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2),
        TimeSpan.FromHours(6),
    ];

    /// <summary>After this long since the first attempt was due, a message still not accepted has failed.</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromDays(4);

    /// <summary>
    /// How long a delivery job may hold a row in Sending: well past MailKit's per-command timeout times the
    /// commands of one send, so only a job that died holds a claim this old.
    /// </summary>
    public static readonly TimeSpan SendingLease = TimeSpan.FromMinutes(15);

    /// <summary>When to try again after <paramref name="attempts"/> failed attempts, or null to give up.</summary>
    public static DateTime? NextAttempt(int attempts, DateTime dueAt, DateTime now)
    {
        var delay = Delays[Math.Clamp(attempts, 1, Delays.Length) - 1];
        var next = now + delay;
        return next - dueAt > GiveUpAfter ? null : next;
    }
}
