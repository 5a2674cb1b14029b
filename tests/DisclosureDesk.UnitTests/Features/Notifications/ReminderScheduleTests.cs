using DisclosureDesk.Features.Notifications;

namespace DisclosureDesk.UnitTests.Features.Notifications;

public sealed class ReminderScheduleTests
{
    private static readonly TimeZoneInfo Amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
    private static readonly TimeZoneInfo Kolkata = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kolkata");

    private static DateTime Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public void For_AmsterdamDeadlineAfterTheEndOfSummerTime_RemindsAtNineLocalOnEachSideOfTheChange()
    {
        // Deadline Friday 30 October 11:00 CET; summer time ended on Sunday 25 October.
        var windows = ReminderSchedule.For(Utc(10, 30, 10), Amsterdam, 9);

        Assert.Equal([(ReminderKinds.WeekBefore, Utc(10, 23, 7)), (ReminderKinds.DayBefore, Utc(10, 29, 8))],
            windows.Select(w => (w.Kind, w.From)));
        Assert.Equal(Utc(10, 29, 8), windows[0].Until);
        Assert.Equal(Utc(10, 30, 10), windows[1].Until);
    }

    [Fact]
    public void For_DeadlineJustAfterLocalMidnight_CountsLocalDaysNotTwentyFourHourBlocks()
    {
        // 23:30 UTC on 31 October is already 1 November in Amsterdam: the reminders belong to 25 and 31 October.
        var windows = ReminderSchedule.For(Utc(10, 31, 23, 30), Amsterdam, 9);

        Assert.Equal(new DateOnly(2026, 11, 1), windows[0].DeadlineDate);
        Assert.Equal([Utc(10, 25, 8), Utc(10, 31, 8)], windows.Select(w => w.From));
    }

    [Fact]
    public void For_NewYorkAcrossItsChange_RemindsAtNineLocal()
    {
        // Deadline Thursday 5 November 10:00 EST; daylight time ended on Sunday 1 November.
        Assert.Equal([Utc(10, 29, 13), Utc(11, 4, 14)], ReminderSchedule.For(Utc(11, 5, 15), NewYork, 9).Select(w => w.From));
    }

    [Fact]
    public void For_HalfHourOffsetZone_RemindsAtNineLocal()
    {
        Assert.Equal(Utc(6, 3, 3, 30), ReminderSchedule.For(Utc(6, 10, 12), Kolkata, 9)[0].From);
    }

    [Fact]
    public void DueAt_BetweenWindows_IsTheOneThatHasStarted()
    {
        var deadline = Utc(10, 30, 10);

        Assert.Null(ReminderSchedule.DueAt(deadline, Amsterdam, 9, Utc(10, 23, 6, 59)));
        Assert.Equal(ReminderKinds.WeekBefore, ReminderSchedule.DueAt(deadline, Amsterdam, 9, Utc(10, 23, 7))!.Kind);
        Assert.Equal(ReminderKinds.WeekBefore, ReminderSchedule.DueAt(deadline, Amsterdam, 9, Utc(10, 27, 12))!.Kind);
        Assert.Equal(ReminderKinds.DayBefore, ReminderSchedule.DueAt(deadline, Amsterdam, 9, Utc(10, 29, 8))!.Kind);
        Assert.Null(ReminderSchedule.DueAt(deadline, Amsterdam, 9, deadline));
    }

    [Fact]
    public void AtLocal_HourSkippedBySpringForward_IsTheFirstInstantAfterTheGap()
    {
        // 29 March 2026, Amsterdam: 02:00 CET jumps to 03:00 CEST.
        Assert.Equal(Utc(3, 29, 1), ReminderSchedule.AtLocal(new DateOnly(2026, 3, 29), 2, Amsterdam));
    }

    [Fact]
    public void AtLocal_HourThatOccursTwice_IsItsFirstOccurrence()
    {
        // 25 October 2026, Amsterdam: 02:00-03:00 happens in CEST, then again in CET.
        Assert.Equal(Utc(10, 25, 0), ReminderSchedule.AtLocal(new DateOnly(2026, 10, 25), 2, Amsterdam));
    }
}
