namespace DisclosureDesk.Features.Notifications;

/// <summary>A disclosure deadline rule: how long the owner has, counted from the first notification.</summary>
public sealed record DisclosurePolicy(string Id, string Name, int Days, string? Url)
{
    public DateTime DeadlineFrom(DateTime firstNotifiedAt) => firstNotifiedAt.AddDays(Days);
}

public static class DisclosurePolicies
{
    public const int MinCustomDays = 1;
    public const int MaxCustomDays = 365;

    public static readonly DisclosurePolicy ExposedData = new("exposed-data", "Exposed-data default (30 days)", 30, null);
    public static readonly DisclosurePolicy CertCc = new("cert-cc", "CERT/CC (45 days)", 45, "https://certcc.github.io/CERT-Guide-to-CVD/");
    public static readonly DisclosurePolicy ProjectZero = new("project-zero", "Google Project Zero (90 days)", 90, "https://googleprojectzero.blogspot.com/p/vulnerability-disclosure-policy.html");

    public static IReadOnlyList<DisclosurePolicy> Standard { get; } = [ExposedData, CertCc, ProjectZero];

    public static DisclosurePolicy Custom(int days) => new("custom", $"Custom ({days} days)", days, null);

    /// <summary>The named standard policy, or a custom one; null when the choice is not valid.</summary>
    public static DisclosurePolicy? Resolve(string? id, int? customDays) =>
        id == "custom"
            ? customDays is >= MinCustomDays and <= MaxCustomDays ? Custom(customDays.Value) : null
            : Standard.FirstOrDefault(p => p.Id == id);
}
