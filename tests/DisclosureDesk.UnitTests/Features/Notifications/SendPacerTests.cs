using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.UnitTests.Features.Notifications;

public sealed class SendPacerTests
{
    private static readonly DateTime T0 = new(2026, 3, 14, 9, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void Domains_SeveralRecipients_EachDomainOnceInLowerCase()
    {
        Assert.Equal(["db.example", "other.example"], SendPacer.Domains("Owner@DB.example, security@db.example,x@Other.Example"));
    }

    [Fact]
    public async Task TryReserve_GlobalRate_SpacesSlotsEvenlyAndSavesNoBurstWhileIdle()
    {
        var pacer = Pacer(perMinute: 120, perDomain: 0);

        Assert.Null(await pacer.TryReserveAsync(["a.example"], T0, TestContext.Current.CancellationToken));
        var refusal = await pacer.TryReserveAsync(["b.example"], T0, TestContext.Current.CancellationToken);
        Assert.Equal(T0.AddMilliseconds(500), refusal!.NotBefore);
        Assert.True(refusal.Global);
        Assert.Null(await pacer.TryReserveAsync(["b.example"], T0.AddMilliseconds(500), TestContext.Current.CancellationToken));

        // A minute of silence earns no burst: the slot after the next is one interval later again.
        Assert.Null(await pacer.TryReserveAsync(["c.example"], T0.AddMinutes(1), TestContext.Current.CancellationToken));
        Assert.Equal(T0.AddMinutes(1).AddMilliseconds(500), (await pacer.TryReserveAsync(["d.example"], T0.AddMinutes(1), TestContext.Current.CancellationToken))!.NotBefore);
    }

    [Fact]
    public async Task TryReserve_DomainBusy_RefusesThatDomainOnlyAndTakesNoGlobalSlot()
    {
        var pacer = Pacer(perMinute: 0, perDomain: 30);

        Assert.Null(await pacer.TryReserveAsync(["slow.example"], T0, TestContext.Current.CancellationToken));
        var refusal = await pacer.TryReserveAsync(["x.example", "slow.example"], T0.AddSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal((T0.AddSeconds(2), false), (refusal!.NotBefore, refusal.Global));
        Assert.Equal(["slow.example"], refusal.BlockedDomains);
        // The refused message took nothing: x.example is still free.
        Assert.Null(await pacer.TryReserveAsync(["x.example"], T0.AddSeconds(1), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Report_BurstOf451ToOneDomain_HalvesThatDomainsRateOnlyThenRecoversWithDeliveries()
    {
        var pacer = Pacer(perMinute: 600, perDomain: 60);
        var greylisting = new DeliveryResult(DeliveryOutcome.Transient, "451 4.7.1 Try again later", 451);
        for (var i = 0; i < SendPacer.BurstThreshold - 1; i++)
        {
            await pacer.ReportAsync(["busy.example"], greylisting, T0.AddSeconds(i), TestContext.Current.CancellationToken);
        }
        Assert.DoesNotContain((await pacer.SnapshotAsync(T0, TestContext.Current.CancellationToken)).Domains, lane => lane.Slowed);

        await pacer.ReportAsync(["busy.example"], greylisting, T0.AddSeconds(2), TestContext.Current.CancellationToken);

        var snapshot = await pacer.SnapshotAsync(T0.AddSeconds(2), TestContext.Current.CancellationToken);
        var busy = Assert.Single(snapshot.Domains);
        Assert.Equal(("busy.example", 30.0, true), (busy.Name, busy.PerMinute!.Value, busy.Slowed));
        Assert.Equal(T0.AddSeconds(4), busy.NextSlot);
        Assert.Equal((600.0, false), (snapshot.Global.PerMinute!.Value, snapshot.Global.Slowed));

        var delivered = new DeliveryResult(DeliveryOutcome.Delivered, "250 OK");
        for (var i = 0; i < 8; i++)
        {
            await pacer.ReportAsync(["busy.example"], delivered, T0.AddSeconds(10 + i), TestContext.Current.CancellationToken);
        }
        Assert.DoesNotContain((await pacer.SnapshotAsync(T0.AddMinutes(1), TestContext.Current.CancellationToken)).Domains, lane => lane.Slowed);
    }

    [Fact]
    public async Task Report_421AndLostConnections_SlowTheGlobalRateNotTheDomains()
    {
        var pacer = Pacer(perMinute: 60, perDomain: 60);

        await pacer.ReportAsync(["a.example"], new DeliveryResult(DeliveryOutcome.Transient, "421 4.3.2 Service not available", 421), T0, TestContext.Current.CancellationToken);
        await pacer.ReportAsync(["b.example"], new DeliveryResult(DeliveryOutcome.Transient, "Could not connect"), T0.AddSeconds(1), TestContext.Current.CancellationToken);
        await pacer.ReportAsync(["c.example"], new DeliveryResult(DeliveryOutcome.Transient, "421 4.3.2 Service not available", 421), T0.AddSeconds(2), TestContext.Current.CancellationToken);

        var snapshot = await pacer.SnapshotAsync(T0.AddSeconds(2), TestContext.Current.CancellationToken);
        Assert.Equal((30.0, true), (snapshot.Global.PerMinute!.Value, snapshot.Global.Slowed));
        Assert.DoesNotContain(snapshot.Domains, lane => lane.Slowed);
    }

    [Fact]
    public async Task Report_FailuresSpreadBeyondTheBurstWindow_DoNotSlowDown()
    {
        var pacer = Pacer(perMinute: 60, perDomain: 60);
        var greylisting = new DeliveryResult(DeliveryOutcome.Transient, "451 later", 451);

        for (var i = 0; i < 5; i++)
        {
            await pacer.ReportAsync(["a.example"], greylisting, T0.AddMinutes(i * 0.6), TestContext.Current.CancellationToken);
        }

        Assert.DoesNotContain((await pacer.SnapshotAsync(T0.AddMinutes(3), TestContext.Current.CancellationToken)).Domains, lane => lane.Slowed);
    }

    [Fact]
    public async Task TryReserve_PickupFolder_NeverPaces()
    {
        var pacer = new SendPacer(Options.Create(new EmailOptions { Pacing = { MessagesPerMinute = 1, PerDomainPerMinute = 1 } }), new InMemorySendPacingLanes());

        Assert.False(pacer.IsActive);
        Assert.Null(await pacer.TryReserveAsync(["a.example"], T0, TestContext.Current.CancellationToken));
        Assert.Null(await pacer.TryReserveAsync(["a.example"], T0, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task TryReserve_UnlimitedGlobalRate_KeepsNoGlobalLane()
    {
        var lanes = new InMemorySendPacingLanes();
        var pacer = Pacer(perMinute: 0, perDomain: 30, lanes);

        Assert.Null(await pacer.TryReserveAsync(["a.example"], T0, TestContext.Current.CancellationToken));

        var known = await lanes.ReadAsync(T0, TestContext.Current.CancellationToken);
        Assert.Equal(["a.example"], known.Select(lane => lane.Name));
    }

    [Fact]
    public async Task ForgetIdleLanes_LanesAtRestBusyAndSlowed_ForgetsOnlyTheLaneAtRest()
    {
        var lanes = new InMemorySendPacingLanes();
        var pacer = Pacer(perMinute: 600, perDomain: 60, lanes);
        var greylisting = new DeliveryResult(DeliveryOutcome.Transient, "451 later", 451);
        Assert.Null(await pacer.TryReserveAsync(["rest.example"], T0, TestContext.Current.CancellationToken));
        Assert.Null(await pacer.TryReserveAsync(["busy.example"], T0.AddSeconds(30), TestContext.Current.CancellationToken));
        for (var i = 0; i < SendPacer.BurstThreshold; i++)
        {
            await pacer.ReportAsync(["slowed.example"], greylisting, T0.AddSeconds(i), TestContext.Current.CancellationToken);
        }
        var now = T0.AddSeconds(30);

        await pacer.ForgetIdleLanesAsync(now, TestContext.Current.CancellationToken);

        // A forgotten lane comes back new (free from now); the lanes in use keep their slots and their slowdown.
        var held = await lanes.ChangeAsync(["rest.example", "busy.example", "slowed.example"], now,
            kept => kept.Select(lane => (lane.Name, lane.NextSlot, lane.Share)).ToList(), TestContext.Current.CancellationToken);
        Assert.Equal([("rest.example", now, 1.0), ("busy.example", now.AddSeconds(1), 1.0), ("slowed.example", T0.AddSeconds(4), 0.5)], held);
    }

    private static SendPacer Pacer(int perMinute, int perDomain, ISendPacingLanes? lanes = null) => new(Options.Create(new EmailOptions
    {
        Smtp = { Host = "smtp.example" },
        Pacing = { MessagesPerMinute = perMinute, PerDomainPerMinute = perDomain },
    }), lanes ?? new InMemorySendPacingLanes());
}
