using DisclosureDesk.Features.Notifications;

namespace DisclosureDesk.UnitTests.Features.Notifications;

public sealed class OutboxRetryPolicyTests
{
    private static readonly DateTime Due = new(2026, 3, 14, 9, 30, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 30)]
    [InlineData(4, 120)]
    [InlineData(5, 360)]
    [InlineData(9, 360)]
    public void NextAttempt_AfterFailures_BacksOffExponentiallyAndCaps(int attempts, int minutes)
    {
        var now = Due.AddMinutes(10);
        Assert.Equal(now.AddMinutes(minutes), OutboxRetryPolicy.NextAttempt(attempts, Due, now));
    }

    [Fact]
    public void NextAttempt_RetryWouldFallPastFourDays_GivesUp()
    {
        Assert.NotNull(OutboxRetryPolicy.NextAttempt(20, Due, Due.AddDays(4).AddHours(-6)));
        Assert.Null(OutboxRetryPolicy.NextAttempt(20, Due, Due.AddDays(4).AddHours(-5)));
    }
}
