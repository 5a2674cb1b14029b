using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.Features.Escalation;

/// <summary>How long an owner's silence lasts before a case climbs to the next rung of its escalation ladder.</summary>
public sealed class EscalationOptions
{
    public const string SectionName = "Escalation";
    public const int MinSilenceDays = 1;
    public const int MaxSilenceDays = 90;

    /// <summary>
    /// Days without a reply before each rung, unless a case sets its own. Two weeks is CERT/CC's practice before it
    /// goes over a vendor's head.
    /// </summary>
    [Range(MinSilenceDays, MaxSilenceDays, ErrorMessage = "Escalation:SilenceDays must be between 1 and 90.")]
    public int SilenceDays { get; set; } = 14;

    /// <summary>The silence before each rung of <paramref name="case"/>'s ladder: its own, or this default.</summary>
    public TimeSpan SilenceFor(Case @case) => TimeSpan.FromDays(@case.EscalationSilenceDays ?? SilenceDays);
}
