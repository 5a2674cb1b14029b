using DisclosureDesk.Features.Notifications;

namespace DisclosureDesk.UnitTests.Features.Notifications;

public sealed class DisclosurePolicyTests
{
    private static readonly DateTime Notified = new(2026, 3, 2, 14, 0, 0, DateTimeKind.Utc);

    private static DateTime Day(int n) => Notified.AddDays(n);

    [Fact]
    public void DatesFor_ProjectZeroUnfixed_PublishesAtNinetyDaysAndOffersGraceUntilThen()
    {
        var dates = DisclosurePolicies.ProjectZero.DatesFor(Notified);

        Assert.Equal(Day(90), dates.FixBy);
        Assert.Equal(Day(90), dates.PublishAfter);
        Assert.Equal(Day(90), dates.GraceAvailableUntil);
    }

    [Theory]
    [InlineData(47, 77)] // the policy's own examples
    [InlineData(83, 113)]
    [InlineData(90, 120)]
    public void DatesFor_ProjectZeroFixedWithinNinetyDays_PublishesThirtyDaysAfterTheFix(int fixedOnDay, int publishedOnDay)
    {
        var dates = DisclosurePolicies.ProjectZero.DatesFor(Notified, fixedAt: Day(fixedOnDay));

        Assert.Equal(Day(publishedOnDay), dates.PublishAfter);
        Assert.Null(dates.GraceAvailableUntil);
    }

    [Fact]
    public void DatesFor_ProjectZeroFixedAfterTheDeadlineWithoutGrace_KeepsTheDeadline()
    {
        Assert.Equal(Day(90), DisclosurePolicies.ProjectZero.DatesFor(Notified, fixedAt: Day(95)).PublishAfter);
    }

    [Fact]
    public void DatesFor_ProjectZeroGraceGranted_GivesFourteenMoreDaysToFix()
    {
        var dates = DisclosurePolicies.ProjectZero.DatesFor(Notified, graceGranted: true);

        Assert.Equal(Day(104), dates.FixBy);
        Assert.Equal(Day(104), dates.PublishAfter);
        Assert.Null(dates.GraceAvailableUntil);
    }

    [Fact]
    public void DatesFor_ProjectZeroFixedDuringGrace_PublishesThirtyDaysAfterTheOriginalDeadline()
    {
        Assert.Equal(Day(120), DisclosurePolicies.ProjectZero.DatesFor(Notified, fixedAt: Day(100), graceGranted: true).PublishAfter);
    }

    [Fact]
    public void DatesFor_ProjectZeroGraceGrantedFixedEarly_StillThirtyDaysAfterTheFix()
    {
        Assert.Equal(Day(80), DisclosurePolicies.ProjectZero.DatesFor(Notified, fixedAt: Day(50), graceGranted: true).PublishAfter);
    }

    [Fact]
    public void DatesFor_ProjectZeroGraceLapsedUnfixed_PublishesAtTheEndOfGrace()
    {
        Assert.Equal(Day(104), DisclosurePolicies.ProjectZero.DatesFor(Notified, fixedAt: Day(110), graceGranted: true).PublishAfter);
    }

    [Theory]
    [InlineData("cert-cc", null, 45)]
    [InlineData("exposed-data", null, 30)]
    [InlineData("custom", 12, 12)]
    public void DatesFor_FixedDeadlinePolicies_IgnoreTheFixAndHaveNoGrace(string id, int? customDays, int days)
    {
        var policy = DisclosurePolicies.Resolve(id, customDays)!;

        var dates = policy.DatesFor(Notified, fixedAt: Day(3), graceGranted: true);

        Assert.Equal(Day(days), dates.FixBy);
        Assert.Equal(Day(days), dates.PublishAfter);
        Assert.Null(dates.GraceAvailableUntil);
    }

    [Theory]
    [InlineData("custom", 0)]
    [InlineData("custom", 366)]
    [InlineData("custom", null)]
    [InlineData("made-up", null)]
    public void Resolve_InvalidChoice_IsNull(string id, int? customDays)
    {
        Assert.Null(DisclosurePolicies.Resolve(id, customDays));
    }

    [Fact]
    public void DatesOf_NotifiedCase_UsesTheRecordedPolicyFixAndGrace()
    {
        var @case = NotificationModels.Case();
        @case.FirstNotifiedAt = Notified;
        @case.DisclosurePolicyId = DisclosurePolicies.ProjectZero.Id;
        @case.DisclosureDays = 90;
        @case.FixedAt = Day(20);

        Assert.Equal(Day(50), DisclosurePolicies.DatesOf(@case)!.PublishAfter);
        Assert.Null(DisclosurePolicies.DatesOf(NotificationModels.Case()));
    }
}
