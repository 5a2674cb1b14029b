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
    public void TryReserve_GlobalRate_SpacesSlotsEvenlyAndSavesNoBurstWhileIdle()
    {
        var pacer = Pacer(perMinute: 120, perDomain: 0);

        Assert.Null(pacer.TryReserve(["a.example"], T0));
        var refusal = pacer.TryReserve(["b.example"], T0);
        Assert.Equal(T0.AddMilliseconds(500), refusal!.NotBefore);
        Assert.True(refusal.Global);
        Assert.Null(pacer.TryReserve(["b.example"], T0.AddMilliseconds(500)));

        // A minute of silence earns no burst: the slot after the next is one interval later again.
        Assert.Null(pacer.TryReserve(["c.example"], T0.AddMinutes(1)));
        Assert.Equal(T0.AddMinutes(1).AddMilliseconds(500), pacer.TryReserve(["d.example"], T0.AddMinutes(1))!.NotBefore);
    }

    [Fact]
    public void TryReserve_DomainBusy_RefusesThatDomainOnlyAndTakesNoGlobalSlot()
    {
        var pacer = Pacer(perMinute: 0, perDomain: 30);

        Assert.Null(pacer.TryReserve(["slow.example"], T0));
        var refusal = pacer.TryReserve(["x.example", "slow.example"], T0.AddSeconds(1));
        Assert.Equal((T0.AddSeconds(2), false), (refusal!.NotBefore, refusal.Global));
        Assert.Equal(["slow.example"], refusal.BlockedDomains);
        // The refused message took nothing: x.example is still free.
        Assert.Null(pacer.TryReserve(["x.example"], T0.AddSeconds(1)));
    }

    [Fact]
    public void Report_BurstOf451ToOneDomain_HalvesThatDomainsRateOnlyThenRecoversWithDeliveries()
    {
        var pacer = Pacer(perMinute: 600, perDomain: 60);
        var greylisting = new DeliveryResult(DeliveryOutcome.Transient, "451 4.7.1 Try again later", 451);
        for (var i = 0; i < SendPacer.BurstThreshold - 1; i++)
        {
            pacer.Report(["busy.example"], greylisting, T0.AddSeconds(i));
        }
        Assert.DoesNotContain(pacer.Snapshot(T0).Domains, lane => lane.Slowed);

        pacer.Report(["busy.example"], greylisting, T0.AddSeconds(2));

        var snapshot = pacer.Snapshot(T0.AddSeconds(2));
        var busy = Assert.Single(snapshot.Domains);
        Assert.Equal(("busy.example", 30.0, true), (busy.Name, busy.PerMinute!.Value, busy.Slowed));
        Assert.Equal(T0.AddSeconds(4), busy.NextSlot);
        Assert.Equal((600.0, false), (snapshot.Global.PerMinute!.Value, snapshot.Global.Slowed));

        var delivered = new DeliveryResult(DeliveryOutcome.Delivered, "250 OK");
        for (var i = 0; i < 8; i++)
        {
            pacer.Report(["busy.example"], delivered, T0.AddSeconds(10 + i));
        }
        Assert.DoesNotContain(pacer.Snapshot(T0.AddMinutes(1)).Domains, lane => lane.Slowed);
    }

    [Fact]
    public void Report_421AndLostConnections_SlowTheGlobalRateNotTheDomains()
    {
        var pacer = Pacer(perMinute: 60, perDomain: 60);

        pacer.Report(["a.example"], new DeliveryResult(DeliveryOutcome.Transient, "421 4.3.2 Service not available", 421), T0);
        pacer.Report(["b.example"], new DeliveryResult(DeliveryOutcome.Transient, "Could not connect"), T0.AddSeconds(1));
        pacer.Report(["c.example"], new DeliveryResult(DeliveryOutcome.Transient, "421 4.3.2 Service not available", 421), T0.AddSeconds(2));

        var snapshot = pacer.Snapshot(T0.AddSeconds(2));
        Assert.Equal((30.0, true), (snapshot.Global.PerMinute!.Value, snapshot.Global.Slowed));
        Assert.DoesNotContain(snapshot.Domains, lane => lane.Slowed);
    }

    [Fact]
    public void Report_FailuresSpreadBeyondTheBurstWindow_DoNotSlowDown()
    {
        var pacer = Pacer(perMinute: 60, perDomain: 60);
        var greylisting = new DeliveryResult(DeliveryOutcome.Transient, "451 later", 451);

        for (var i = 0; i < 5; i++)
        {
            pacer.Report(["a.example"], greylisting, T0.AddMinutes(i * 0.6));
        }

        Assert.DoesNotContain(pacer.Snapshot(T0.AddMinutes(3)).Domains, lane => lane.Slowed);
    }

    [Fact]
    public void TryReserve_PickupFolder_NeverPaces()
    {
        var pacer = new SendPacer(Options.Create(new EmailOptions { Pacing = { MessagesPerMinute = 1, PerDomainPerMinute = 1 } }));

        Assert.False(pacer.IsActive);
        Assert.Null(pacer.TryReserve(["a.example"], T0));
        Assert.Null(pacer.TryReserve(["a.example"], T0));
    }

    private static SendPacer Pacer(int perMinute, int perDomain) => new(Options.Create(new EmailOptions
    {
        Smtp = { Host = "smtp.example" },
        Pacing = { MessagesPerMinute = perMinute, PerDomainPerMinute = perDomain },
    }));
}
