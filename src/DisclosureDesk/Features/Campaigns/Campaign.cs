using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Campaigns;

/// <summary>
/// Marks a case as the umbrella of a mass notification (ADR-021): one case file for many hosts and many owners, whose
/// recipients are <see cref="CampaignRecipient"/> rows. Who may see the campaign is who may see the case.
/// </summary>
public class Campaign
{
    /// <summary>The umbrella case's id (also the key: a case is a campaign at most once).</summary>
    public int CaseId { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>The first time "Send campaign" queued emails; later sends only reach recipients added since.</summary>
    public DateTime? FirstSentAt { get; set; }

    /// <summary>The import the campaign was created from, if any.</summary>
    public long? ImportRunId { get; set; }
}

public enum CampaignRecipientState
{
    /// <summary>Known address, nothing queued yet: waits for "Send campaign".</summary>
    [Display(Name = "Not sent yet")] Pending = 0,
    /// <summary>The finding has no address; the researcher fills one in.</summary>
    [Display(Name = "No contact")] NoAddress = 1,
    /// <summary>The notification is in the outbox, not yet accepted by the server.</summary>
    [Display(Name = "Scheduled")] Scheduled = 2,
    [Display(Name = "Sent")] Sent = 3,
    /// <summary>Refused by our server (5xx) or a bounce came back: the address needs correcting.</summary>
    [Display(Name = "Bounced")] Bounced = 4,
    [Display(Name = "Auto-replied")] AutoReplied = 5,
    [Display(Name = "Replied")] Replied = 6,
    [Display(Name = "Mitigated")] Mitigated = 7,
    /// <summary>Every follow-up went out and nobody answered by the No-response date.</summary>
    [Display(Name = "No response")] NoResponse = 8,
}

/// <summary>
/// One address a campaign writes to, with the findings it is told about. <see cref="Key"/> (the lower-cased address,
/// or <c>host:</c> and the host for a finding without one) is unique within the campaign, so adding the same list
/// twice changes nothing.
/// </summary>
public class CampaignRecipient
{
    public long Id { get; set; }
    public int CaseId { get; set; }
    public string Key { get; set; } = "";
    public string? Email { get; set; }

    /// <summary>The lower-cased domain of <see cref="Email"/>: what the table filters by and pacing groups by.</summary>
    public string? Domain { get; set; }

    /// <summary>The organisation or person, as the scan or the list named them.</summary>
    public string? Name { get; set; }

    /// <summary>The endpoints this recipient is told about, one <c>host:port</c> per line, in the order they were added.</summary>
    public string Findings { get; set; } = "";
    public int FindingCount { get; set; }
    public CampaignRecipientState State { get; set; }

    /// <summary>A rescan no longer saw any of this recipient's hosts: shown, not assumed (the state does not change).</summary>
    public bool PossiblyMitigated { get; set; }

    /// <summary>What moved the state last, in a sentence (the bounce's diagnostic, the reply's subject).</summary>
    public string? StateDetail { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? NotifiedAt { get; set; }
    public DateTime? StateChangedAt { get; set; }

    /// <summary>When the recipient becomes No response if nothing comes back; set when the notification is queued.</summary>
    public DateTime? NoResponseAt { get; set; }

    /// <summary>How many notifications were queued (a resend to a corrected address adds one); part of the outbox dedup key.</summary>
    public int Round { get; set; }
}

public static class CampaignLimits
{
    public const int EmailLength = 254;
    public const int KeyLength = 300;
    public const int FindingsLength = 20_000;
    public const int DetailLength = 500;
}

internal sealed class CampaignConfiguration : IEntityTypeConfiguration<Campaign>
{
    public void Configure(EntityTypeBuilder<Campaign> builder)
    {
        builder.HasKey(c => c.CaseId);
        builder.Property(c => c.CaseId).ValueGeneratedNever();
        builder.HasOne<Case>().WithOne().HasForeignKey<Campaign>(c => c.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CampaignRecipientConfiguration : IEntityTypeConfiguration<CampaignRecipient>
{
    public void Configure(EntityTypeBuilder<CampaignRecipient> builder)
    {
        builder.Property(r => r.Key).HasMaxLength(CampaignLimits.KeyLength);
        builder.Property(r => r.Email).HasMaxLength(CampaignLimits.EmailLength);
        builder.Property(r => r.Domain).HasMaxLength(CampaignLimits.EmailLength);
        builder.Property(r => r.Name).HasMaxLength(CaseLimits.NameLength);
        builder.Property(r => r.Findings).HasMaxLength(CampaignLimits.FindingsLength);
        builder.Property(r => r.StateDetail).HasMaxLength(CampaignLimits.DetailLength);
        builder.HasIndex(r => new { r.CaseId, r.Key }).IsUnique();
        // The table's two pages: all recipients, and one state's, both keyset-paged on Id.
        builder.HasIndex(r => new { r.CaseId, r.Id });
        builder.HasIndex(r => new { r.CaseId, r.State, r.Id });
        builder.HasIndex(r => new { r.State, r.NoResponseAt });
        builder.HasOne<Campaign>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}
