namespace DisclosureDesk.Features.Cases;

/// <summary>
/// The allowed moves of a case. The main line is New → Triaged → Owner identified → Notified →
/// Acknowledged → Mitigated → Closed; the side exits are Rejected, No response, Escalated and Published.
/// Leaving a final state is not a transition but an explicit, recorded reopen.
/// </summary>
public static class CaseStatusMachine
{
    private static readonly Dictionary<CaseStatus, CaseStatus[]> Transitions = new()
    {
        [CaseStatus.New] = [CaseStatus.Triaged, CaseStatus.Rejected],
        [CaseStatus.Triaged] = [CaseStatus.OwnerIdentified, CaseStatus.Rejected],
        [CaseStatus.OwnerIdentified] = [CaseStatus.Notified, CaseStatus.Rejected],
        // An owner may fix the exposure without ever answering, hence Notified → Mitigated.
        [CaseStatus.Notified] = [CaseStatus.Acknowledged, CaseStatus.Mitigated, CaseStatus.NoResponse, CaseStatus.Escalated],
        [CaseStatus.Acknowledged] = [CaseStatus.Mitigated, CaseStatus.Escalated],
        [CaseStatus.NoResponse] = [CaseStatus.Escalated, CaseStatus.Acknowledged, CaseStatus.Mitigated, CaseStatus.Closed],
        [CaseStatus.Escalated] = [CaseStatus.Acknowledged, CaseStatus.Mitigated, CaseStatus.NoResponse, CaseStatus.Closed],
        [CaseStatus.Mitigated] = [CaseStatus.Closed, CaseStatus.Published],
        [CaseStatus.Closed] = [CaseStatus.Published],
        [CaseStatus.Rejected] = [],
        [CaseStatus.Published] = [],
    };

    private static readonly HashSet<CaseStatus> Reopenable =
        [CaseStatus.Closed, CaseStatus.Rejected, CaseStatus.NoResponse, CaseStatus.Published];

    /// <summary>The status a reopened case returns to: it needs triage again.</summary>
    public const CaseStatus ReopenedStatus = CaseStatus.Triaged;

    public static IReadOnlyList<CaseStatus> AllowedFrom(CaseStatus from) => Transitions[from];

    public static bool CanTransition(CaseStatus from, CaseStatus to) => Transitions[from].Contains(to);

    public static bool CanReopen(CaseStatus from) => Reopenable.Contains(from);

    public static bool IsOpen(CaseStatus status) =>
        status is not (CaseStatus.Closed or CaseStatus.Rejected or CaseStatus.Published);

    /// <summary>Why <paramref name="from"/> → <paramref name="to"/> is refused, or null when it is allowed.</summary>
    public static string? ExplainRefusal(CaseStatus from, CaseStatus to)
    {
        if (CanTransition(from, to))
        {
            return null;
        }
        if (from == to)
        {
            return $"The case is already {from.DisplayName()}.";
        }
        var allowed = Transitions[from];
        var options = allowed.Length == 0
            ? CanReopen(from) ? "it can only be reopened" : "it is final"
            : "it can move to " + string.Join(", ", allowed.Select(s => s.DisplayName()));
        return $"A case cannot move from {from.DisplayName()} to {to.DisplayName()}; {options}.";
    }
}
