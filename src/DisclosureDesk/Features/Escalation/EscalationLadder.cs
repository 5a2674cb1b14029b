using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications.Templates;

namespace DisclosureDesk.Features.Escalation;

/// <summary>Whether a case's ladder is climbing, and if not, why not.</summary>
public enum LadderState
{
    /// <summary>The case climbs no rung.</summary>
    Off,
    /// <summary>The owner has not been notified: the silence has not started.</summary>
    NotStarted,
    Climbing,
    /// <summary>Someone answered (the owner, or anyone escalated to): nobody is chased any more.</summary>
    Answered,
    Paused,
    /// <summary>The case is acknowledged, mitigated or over.</summary>
    CaseMovedOn,
    /// <summary>Every rung the case climbs has been reached.</summary>
    Finished,
}

/// <summary>One rung as planned now: who it would go to, and when, if the silence lasts.</summary>
/// <param name="DueAt">When it goes out if nobody answers before; null once reached, or while the ladder does not climb.</param>
/// <param name="Recipients">The addresses it would go to; empty when there is nobody, and then <paramref name="Missing"/> says why.</param>
/// <param name="RecipientName">Who they are, for the email's greeting.</param>
public sealed record PlannedRung(
    EscalationSteps Step,
    bool Climbed,
    bool Reached,
    DateTime? DueAt,
    IReadOnlyList<string> Recipients,
    string? RecipientName,
    string? Missing);

public sealed record LadderPlan(LadderState State, TimeSpan Silence, IReadOnlyList<PlannedRung> Rungs)
{
    /// <summary>The rungs whose time has come, in order: skipped ones (nobody to write to) and at most one email.</summary>
    public IEnumerable<PlannedRung> DueBy(DateTime now)
    {
        foreach (var rung in Rungs.Where(r => r.DueAt <= now))
        {
            yield return rung;
            if (rung.Recipients.Count > 0)
            {
                yield break;
            }
        }
    }
}

/// <summary>
/// The escalation ladder: owner, then the hosting provider's abuse contact, then the national CERT, then the
/// data-protection authority, each after a silence. Derived from the case as it is whenever it is asked, like the
/// researchers' reminders (ADR-018): a reply, a pause, a new abuse contact or a new directory entry changes the
/// plan without anything to reschedule.
/// </summary>
public static class EscalationLadder
{
    public const string AbuseContactRole = "Abuse contact";

    public const EscalationSteps AllRungs = EscalationSteps.HostingProvider | EscalationSteps.NationalCert | EscalationSteps.DataProtectionAuthority;

    public static IReadOnlyList<EscalationSteps> Rungs { get; } =
        [EscalationSteps.HostingProvider, EscalationSteps.NationalCert, EscalationSteps.DataProtectionAuthority];

    /// <summary>What a case climbs unless the researcher says otherwise: an authority for data about people only when there is some.</summary>
    public static EscalationSteps DefaultSteps(Case @case) =>
        EscalationSteps.HostingProvider | EscalationSteps.NationalCert
        | (@case.DataCategories.HoldPersonalData() ? EscalationSteps.DataProtectionAuthority : EscalationSteps.None);

    public static EmailTemplateId Template(this EscalationSteps rung) => rung switch
    {
        EscalationSteps.HostingProvider => EmailTemplateId.Escalation,
        EscalationSteps.NationalCert => EmailTemplateId.EscalationNationalCert,
        EscalationSteps.DataProtectionAuthority => EmailTemplateId.EscalationDataProtectionAuthority,
        _ => throw new ArgumentOutOfRangeException(nameof(rung), rung, "Not a single rung."),
    };

    /// <summary>Each rung is written at most once per case, whatever runs at the same time (see <c>OutboxMessage.DedupKey</c>).</summary>
    public static string DedupKey(int caseId, EscalationSteps rung) => $"escalation:{caseId}:{(int)rung}";

    /// <summary>
    /// The cases whose ladder may climb, as a query: the database's form of <see cref="StateOf(Case)"/> being
    /// <see cref="LadderState.Climbing"/>, short of "a rung is left", which needs the plan.
    /// </summary>
    public static IQueryable<Case> Climbing(this IQueryable<Case> cases) =>
        cases.Where(c => c.EscalationSteps != EscalationSteps.None && c.FirstNotifiedAt != null && c.FirstResponseAt == null
            && c.FollowUpsPausedAt == null
            && (c.Status == CaseStatus.Notified || c.Status == CaseStatus.NoResponse || c.Status == CaseStatus.Escalated));

    /// <summary>The rung an escalation email was written for, read back from its <see cref="DedupKey"/>; None for any other key.</summary>
    public static EscalationSteps RungOf(string? dedupKey) =>
        dedupKey?.Split(':') is ["escalation", _, var rung] && int.TryParse(rung, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && Rungs.Contains((EscalationSteps)value)
            ? (EscalationSteps)value
            : EscalationSteps.None;

    public static LadderState StateOf(Case @case) => StateOf(@case, @case.EscalationSteps);

    private static LadderState StateOf(Case @case, EscalationSteps steps)
    {
        if (steps == EscalationSteps.None)
        {
            return LadderState.Off;
        }
        if (@case.FirstNotifiedAt is null)
        {
            return LadderState.NotStarted;
        }
        if (@case.FirstResponseAt is not null)
        {
            return LadderState.Answered;
        }
        if (@case.Status is not (CaseStatus.Notified or CaseStatus.NoResponse or CaseStatus.Escalated))
        {
            return LadderState.CaseMovedOn;
        }
        if (@case.FollowUpsPausedAt is not null)
        {
            return LadderState.Paused;
        }
        return Rungs.Any(r => steps.HasFlag(r) && r > @case.EscalationReached) ? LadderState.Climbing : LadderState.Finished;
    }

    /// <summary>
    /// The ladder of <paramref name="case"/> as it stands. A rung with nobody to write to is skipped when its time
    /// comes and the next one follows straight away; after a rung that is written to, the next waits another silence.
    /// </summary>
    /// <param name="authorities">The directory's entries for the case's country (others are ignored).</param>
    /// <param name="steps">The rungs to plan for instead of the case's own: what the researcher is about to choose.</param>
    public static LadderPlan Plan(Case @case, TimeSpan silence, IReadOnlyList<EscalationAuthority> authorities, EscalationSteps? steps = null)
    {
        var climbing = steps ?? @case.EscalationSteps;
        var state = StateOf(@case, climbing);
        var clock = state == LadderState.Climbing ? @case.EscalationSilenceSince ?? @case.FirstNotifiedAt : null;
        var rungs = new List<PlannedRung>();
        foreach (var rung in Rungs)
        {
            var climbed = climbing.HasFlag(rung);
            var reached = rung <= @case.EscalationReached;
            var (recipients, name, missing) = RecipientsOf(@case, rung, authorities);
            DateTime? dueAt = null;
            if (climbed && !reached && clock is { } since)
            {
                dueAt = since + silence;
                if (recipients.Count > 0)
                {
                    clock = dueAt;
                }
            }
            rungs.Add(new PlannedRung(rung, climbed, reached, dueAt, recipients, name, missing));
        }
        return new LadderPlan(state, silence, rungs);
    }

    private static (IReadOnlyList<string> Recipients, string? Name, string? Missing) RecipientsOf(
        Case @case, EscalationSteps rung, IReadOnlyList<EscalationAuthority> authorities)
    {
        if (rung == EscalationSteps.HostingProvider)
        {
            var abuse = @case.Contacts
                .Where(c => c.Email is not null && c.Bouncing != BounceSeverity.Permanent
                    && (c.Source == ContactSource.RdapAbuse || string.Equals(c.Role, AbuseContactRole, StringComparison.OrdinalIgnoreCase)))
                .OrderBy(c => c.AddedAt)
                .ToList();
            return abuse.Count > 0
                ? (abuse.Select(c => c.Email!).Distinct(StringComparer.OrdinalIgnoreCase).ToList(), @case.HostingProvider ?? abuse[0].Name, null)
                : ([], null, $"The case has no abuse contact with a working email address (role \"{AbuseContactRole}\", or accepted from RDAP by Find contacts).");
        }
        var kind = rung == EscalationSteps.NationalCert ? AuthorityKind.NationalCert : AuthorityKind.DataProtectionAuthority;
        var label = rung == EscalationSteps.NationalCert ? "national CERT" : "data-protection authority";
        if (string.IsNullOrWhiteSpace(@case.AffectedCountry))
        {
            return ([], null, $"The case has no affected country, so there is no {label} to write to.");
        }
        var entries = authorities
            .Where(a => a.Kind == kind && a.RetiredAt is null && string.Equals(a.CountryCode, @case.AffectedCountry, StringComparison.OrdinalIgnoreCase))
            .OrderBy(a => a.Id)
            .ToList();
        return entries.Count > 0
            ? (entries.Select(a => a.Email).Distinct(StringComparer.OrdinalIgnoreCase).ToList(), string.Join(" and ", entries.Select(a => a.Name)), null)
            : ([], null, $"The escalation directory has no {label} for {@case.AffectedCountry.ToUpperInvariant()}.");
    }
}
