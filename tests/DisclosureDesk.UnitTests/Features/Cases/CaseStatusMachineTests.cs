using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.UnitTests.Features.Cases;

public class CaseStatusMachineTests
{
    // The workflow as documented on CaseStatusMachine, written out independently so that any change to
    // the machine's table shows up here as a failing pair.
    private static readonly (CaseStatus From, CaseStatus To)[] Allowed =
    [
        (CaseStatus.New, CaseStatus.Triaged),
        (CaseStatus.Triaged, CaseStatus.OwnerIdentified),
        (CaseStatus.OwnerIdentified, CaseStatus.Notified),
        (CaseStatus.Notified, CaseStatus.Acknowledged),
        (CaseStatus.Acknowledged, CaseStatus.Mitigated),
        (CaseStatus.Mitigated, CaseStatus.Closed),

        (CaseStatus.New, CaseStatus.Rejected),
        (CaseStatus.Triaged, CaseStatus.Rejected),
        (CaseStatus.OwnerIdentified, CaseStatus.Rejected),
        (CaseStatus.Notified, CaseStatus.Mitigated),
        (CaseStatus.Notified, CaseStatus.NoResponse),
        (CaseStatus.Notified, CaseStatus.Escalated),
        (CaseStatus.Acknowledged, CaseStatus.Escalated),
        (CaseStatus.NoResponse, CaseStatus.Escalated),
        (CaseStatus.NoResponse, CaseStatus.Acknowledged),
        (CaseStatus.NoResponse, CaseStatus.Mitigated),
        (CaseStatus.NoResponse, CaseStatus.Closed),
        (CaseStatus.Escalated, CaseStatus.Acknowledged),
        (CaseStatus.Escalated, CaseStatus.Mitigated),
        (CaseStatus.Escalated, CaseStatus.NoResponse),
        (CaseStatus.Escalated, CaseStatus.Closed),
        (CaseStatus.Mitigated, CaseStatus.Published),
        (CaseStatus.Closed, CaseStatus.Published),
    ];

    public static TheoryData<CaseStatus, CaseStatus> AllowedPairs()
    {
        var data = new TheoryData<CaseStatus, CaseStatus>();
        foreach (var (from, to) in Allowed)
        {
            data.Add(from, to);
        }
        return data;
    }

    public static TheoryData<CaseStatus, CaseStatus> RefusedPairs()
    {
        var data = new TheoryData<CaseStatus, CaseStatus>();
        foreach (var from in Enum.GetValues<CaseStatus>())
        {
            foreach (var to in Enum.GetValues<CaseStatus>())
            {
                if (from != to && !Allowed.Contains((from, to)))
                {
                    data.Add(from, to);
                }
            }
        }
        return data;
    }

    public static TheoryData<CaseStatus> AllStatuses() => new(Enum.GetValues<CaseStatus>());

    [Theory]
    [MemberData(nameof(AllowedPairs))]
    public void CanTransition_AllowedPair_IsAllowedWithoutRefusal(CaseStatus from, CaseStatus to)
    {
        Assert.True(CaseStatusMachine.CanTransition(from, to));
        Assert.Null(CaseStatusMachine.ExplainRefusal(from, to));
        Assert.Contains(to, CaseStatusMachine.AllowedFrom(from));
    }

    [Theory]
    [MemberData(nameof(RefusedPairs))]
    public void CanTransition_PairOutsideTheWorkflow_IsRefusedNamingBothStatuses(CaseStatus from, CaseStatus to)
    {
        Assert.False(CaseStatusMachine.CanTransition(from, to));
        Assert.DoesNotContain(to, CaseStatusMachine.AllowedFrom(from));

        var refusal = CaseStatusMachine.ExplainRefusal(from, to);
        Assert.NotNull(refusal);
        Assert.Contains($"from {from.DisplayName()} to {to.DisplayName()}", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void CanTransition_SameStatus_IsRefused(CaseStatus status)
    {
        Assert.False(CaseStatusMachine.CanTransition(status, status));
        Assert.Equal($"The case is already {status.DisplayName()}.", CaseStatusMachine.ExplainRefusal(status, status));
    }

    [Fact]
    public void CanTransition_MainLine_WalksFromNewToClosed()
    {
        CaseStatus[] mainLine =
        [
            CaseStatus.New, CaseStatus.Triaged, CaseStatus.OwnerIdentified, CaseStatus.Notified,
            CaseStatus.Acknowledged, CaseStatus.Mitigated, CaseStatus.Closed,
        ];

        for (var i = 1; i < mainLine.Length; i++)
        {
            Assert.True(CaseStatusMachine.CanTransition(mainLine[i - 1], mainLine[i]), $"{mainLine[i - 1]} → {mainLine[i]}");
        }
    }

    [Theory]
    [InlineData(CaseStatus.Rejected)]
    [InlineData(CaseStatus.Published)]
    public void AllowedFrom_FinalState_IsEmpty(CaseStatus final)
    {
        Assert.Empty(CaseStatusMachine.AllowedFrom(final));
        Assert.All(Enum.GetValues<CaseStatus>(), to => Assert.False(CaseStatusMachine.CanTransition(final, to)));
    }

    [Theory]
    [InlineData(CaseStatus.Rejected)]
    [InlineData(CaseStatus.Published)]
    public void ExplainRefusal_FromFinalState_SaysItCanOnlyBeReopened(CaseStatus final)
    {
        var refusal = CaseStatusMachine.ExplainRefusal(final, CaseStatus.Triaged);

        Assert.Equal($"A case cannot move from {final.DisplayName()} to Triaged; it can only be reopened.", refusal);
    }

    [Fact]
    public void ExplainRefusal_FromOpenState_ListsTheAllowedStatusesByDisplayName()
    {
        var refusal = CaseStatusMachine.ExplainRefusal(CaseStatus.Triaged, CaseStatus.Closed);

        Assert.Equal("A case cannot move from Triaged to Closed; it can move to Owner identified, Rejected.", refusal);
    }

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void CanReopen_Status_OnlyForClosedRejectedNoResponseAndPublished(CaseStatus status)
    {
        var expected = status is CaseStatus.Closed or CaseStatus.Rejected or CaseStatus.NoResponse or CaseStatus.Published;

        Assert.Equal(expected, CaseStatusMachine.CanReopen(status));
    }

    [Theory]
    [MemberData(nameof(AllStatuses))]
    public void IsOpen_Status_FalseOnlyForClosedRejectedAndPublished(CaseStatus status)
    {
        var expected = status is not (CaseStatus.Closed or CaseStatus.Rejected or CaseStatus.Published);

        Assert.Equal(expected, CaseStatusMachine.IsOpen(status));
    }
}
