using System.Text.Json;
using DisclosureDesk.Features.Discovery;
using static DisclosureDesk.Features.Discovery.FindCaseContacts;

namespace DisclosureDesk.UnitTests.Features.Discovery;

/// <summary>The rows the case page lists for a run: what the job recorded, and what it has not reached yet.</summary>
public sealed class DiscoverySourceRowsTests
{
    [Fact]
    public void SourceRows_RunningAndNothingRecordedForAHostName_ListsEverySourcePending()
    {
        var rows = SourceRows([], running: true, hostIsName: true);

        Assert.Equal(Enum.GetValues<DiscoverySource>(), rows.Select(r => r.Source));
        Assert.All(rows, r => Assert.Equal((SourceState.Pending, null), (r.State, r.Target)));
    }

    [Fact]
    public void SourceRows_RunningForAnAddress_HasNoHostAddressRowAsThereIsNothingToResolve()
    {
        var rows = SourceRows([new StoredOutcome(DiscoverySource.ReverseDns, "192.0.2.15", false, null, Running: true)], running: true, hostIsName: false);

        Assert.Equal(
            [
                (DiscoverySource.ReverseDns, "192.0.2.15", SourceState.Running),
                (DiscoverySource.TlsCertificate, null, SourceState.Pending),
                (DiscoverySource.Rdap, null, SourceState.Pending),
                (DiscoverySource.SecurityTxt, null, SourceState.Pending),
            ],
            rows.Select(r => (r.Source, r.Target, r.State)));
    }

    [Fact]
    public void SourceRows_SecurityTxtStartedAfterTheAddressFailed_DoesNotShowTheSkippedSourcesPending()
    {
        var rows = SourceRows(
            [
                new StoredOutcome(DiscoverySource.HostAddress, "clinic.example", false, "clinic.example has no address."),
                new StoredOutcome(DiscoverySource.SecurityTxt, "clinic.example", false, null, Running: true),
            ],
            running: true, hostIsName: true);

        Assert.Equal([DiscoverySource.HostAddress, DiscoverySource.SecurityTxt], rows.Select(r => r.Source));
        Assert.Equal((SourceState.Failed, "clinic.example has no address."), (rows[0].State, rows[0].Error));
        Assert.Equal(SourceState.Running, rows[1].State);
    }

    [Fact]
    public void SourceRows_RunEndedWhileASourceRan_ShowsThatSourceFailedWithWhyAndNothingPending()
    {
        var rows = SourceRows(
            [
                new StoredOutcome(DiscoverySource.ReverseDns, "192.0.2.15", true, null),
                new StoredOutcome(DiscoverySource.Rdap, "192.0.2.15", false, null, Running: true),
            ],
            running: false, hostIsName: false);

        Assert.Equal(2, rows.Count);
        var rdap = Assert.Single(rows, r => r.Source == DiscoverySource.Rdap);
        Assert.Equal((SourceState.Failed, "Did not finish before the run ended."), (rdap.State, rdap.Error));
    }

    [Fact]
    public void StoredOutcome_ReadFromTheFinalOutcomeList_IsFinished()
    {
        var json = JsonSerializer.Serialize(new[]
        {
            new DiscoverySourceOutcome(DiscoverySource.SecurityTxt, "clinic.example", true, null),
            new DiscoverySourceOutcome(DiscoverySource.Rdap, "192.0.2.15", false, "RDAP answered 500."),
        }, OutcomeJson);

        var rows = SourceRows(JsonSerializer.Deserialize<List<StoredOutcome>>(json, OutcomeJson)!, running: false, hostIsName: false);

        Assert.Equal(
            [(DiscoverySource.Rdap, SourceState.Failed, "RDAP answered 500."), (DiscoverySource.SecurityTxt, SourceState.Succeeded, null)],
            rows.Select(r => (r.Source, r.State, r.Error)));
    }
}
