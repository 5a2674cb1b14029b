namespace DisclosureDesk.Features.Notifications;

/// <summary>
/// A disclosure deadline rule: how long the owner has to fix, counted from the first notification, and, for
/// policies like Project Zero's 90+30, a patch-adoption period after an early fix and a grace extension.
/// </summary>
/// <param name="PatchAdoptionDays">Details are published this long after a fix made before the deadline; null: the deadline holds regardless.</param>
/// <param name="GraceDays">Extra days the researcher may grant when the owner asks before the deadline; null: none.</param>
public sealed record DisclosurePolicy(string Id, string Name, int Days, string? Url, int? PatchAdoptionDays = null, int? GraceDays = null)
{
    public DateTime DeadlineFrom(DateTime firstNotifiedAt) => firstNotifiedAt.AddDays(Days);

    /// <summary>The dates that follow from the first notification, the fix (if any) and a granted grace period.</summary>
    public DisclosureDates DatesFor(DateTime firstNotifiedAt, DateTime? fixedAt = null, bool graceGranted = false)
    {
        var deadline = DeadlineFrom(firstNotifiedAt);
        var fixBy = graceGranted && GraceDays is { } grace ? deadline.AddDays(grace) : deadline;
        var publishAfter = fixBy;
        if (PatchAdoptionDays is { } adoption && fixedAt is { } fixedOn && fixedOn <= fixBy)
        {
            // Project Zero: a fix within the 90 days is published 30 days after the fix; a fix in the grace
            // period uses up part of the adoption period, so it is published 30 days after the original deadline.
            publishAfter = fixedOn <= deadline ? fixedOn.AddDays(adoption) : deadline.AddDays(adoption);
        }
        return new DisclosureDates(firstNotifiedAt, fixBy, publishAfter, fixedAt,
            GraceDays is not null && !graceGranted && fixedAt is null ? deadline : null);
    }
}

/// <param name="FixBy">The deadline the owner has to fix by (with the grace period, when granted).</param>
/// <param name="PublishAfter">When the details may be published: the disclosure deadline reminders count down to.</param>
/// <param name="GraceAvailableUntil">Until when a grace period may still be granted; null when it cannot.</param>
public sealed record DisclosureDates(DateTime FirstNotifiedAt, DateTime FixBy, DateTime PublishAfter, DateTime? FixedAt, DateTime? GraceAvailableUntil);

public static class DisclosurePolicies
{
    public const int MinCustomDays = 1;
    public const int MaxCustomDays = 365;
    public const string CustomId = "custom";

    public static readonly DisclosurePolicy ExposedData = new("exposed-data", "Exposed-data default (30 days)", 30, null);
    public static readonly DisclosurePolicy CertCc = new("cert-cc", "CERT/CC (45 days)", 45, "https://certcc.github.io/CERT-Guide-to-CVD/");
    public static readonly DisclosurePolicy ProjectZero = new("project-zero", "Google Project Zero (90+30 days)", 90,
        "https://googleprojectzero.blogspot.com/p/vulnerability-disclosure-policy.html", PatchAdoptionDays: 30, GraceDays: 14);

    public static IReadOnlyList<DisclosurePolicy> Standard { get; } = [ExposedData, CertCc, ProjectZero];

    public static DisclosurePolicy Custom(int days) => new(CustomId, $"Custom ({days} days)", days, null);

    /// <summary>The named standard policy, or a custom one; null when the choice is not valid.</summary>
    public static DisclosurePolicy? Resolve(string? id, int? customDays) =>
        id == CustomId
            ? customDays is >= MinCustomDays and <= MaxCustomDays ? Custom(customDays.Value) : null
            : Standard.FirstOrDefault(p => p.Id == id);

    /// <summary>The policy a case was notified under, from its recorded id and days; null before the first notification.</summary>
    public static DisclosurePolicy? Of(Cases.Case @case) =>
        @case.DisclosurePolicyId is null ? null : Resolve(@case.DisclosurePolicyId, @case.DisclosureDays);

    /// <summary>The dates of a notified case under its policy; null before the first notification.</summary>
    public static DisclosureDates? DatesOf(Cases.Case @case) =>
        @case.FirstNotifiedAt is { } first && Of(@case) is { } policy
            ? policy.DatesFor(first, @case.FixedAt, @case.GraceGrantedAt is not null)
            : null;
}
