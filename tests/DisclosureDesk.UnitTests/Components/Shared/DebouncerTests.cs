using DisclosureDesk.Components.Shared;
using Microsoft.Extensions.Time.Testing;

namespace DisclosureDesk.UnitTests.Components.Shared;

public class DebouncerTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMilliseconds(300);

    [Fact]
    public async Task RunAsync_ThreeCallsWithinTheDelay_RunsOnlyTheLastOnceInputPauses()
    {
        var clock = new FakeTimeProvider();
        using var debouncer = new Debouncer(clock, Delay);
        var runs = new List<int>();

        var first = debouncer.RunAsync(() => Record(runs, 1));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        var second = debouncer.RunAsync(() => Record(runs, 2));
        clock.Advance(TimeSpan.FromMilliseconds(200));
        var third = debouncer.RunAsync(() => Record(runs, 3));
        await Task.WhenAll(first, second);
        Assert.Empty(runs);
        Assert.True(debouncer.IsPending);

        clock.Advance(Delay);
        await third;

        Assert.Equal([3], runs);
        Assert.False(debouncer.IsPending);
    }

    private static Task Record(List<int> runs, int call)
    {
        runs.Add(call);
        return Task.CompletedTask;
    }
}
