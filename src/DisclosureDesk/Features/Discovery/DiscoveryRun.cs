using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Discovery;

public enum DiscoveryRunState
{
    Running,
    Completed,
    Failed,
}

public enum ProposalState
{
    Proposed,
    Accepted,
    Rejected,
}

/// <summary>One "Find contacts" run for a case: who asked, when, and how each source ended.</summary>
public class DiscoveryRun
{
    public long Id { get; set; }
    public int CaseId { get; set; }
    public string RequestedById { get; set; } = "";
    public string RequestedByName { get; set; } = "";
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public DiscoveryRunState State { get; set; }

    /// <summary>The researcher's extra domains, one per line.</summary>
    public string Domains { get; set; } = "";

    /// <summary>JSON list of <see cref="FindCaseContacts.StoredOutcome"/>: written as each source starts and ends, and in full when the run ends.</summary>
    public string Outcomes { get; set; } = "[]";

    public string? Error { get; set; }

    public List<DiscoveredContact> Contacts { get; set; } = [];
    public List<DiscoveryEvidenceRecord> Evidence { get; set; } = [];
}

/// <summary>A contact a run proposed, and the researcher's decision on it.</summary>
public class DiscoveredContact
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public int CaseId { get; set; }
    public ContactKind Kind { get; set; }
    public string Address { get; set; } = "";
    public string? Name { get; set; }
    public ContactSource Source { get; set; }
    public ContactConfidence Confidence { get; set; }
    public string Reason { get; set; } = "";
    public string EvidenceSha256 { get; set; } = "";
    public ProposalState State { get; set; }
    public string? DecidedById { get; set; }
    public string? DecidedByName { get; set; }
    public DateTime? DecidedAt { get; set; }
}

/// <summary>The raw bytes proposals were read from, once per run and hash; the hash is also in the case timeline.</summary>
public class DiscoveryEvidenceRecord
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public string Sha256 { get; set; } = "";
    public string Origin { get; set; } = "";
    public string MediaType { get; set; } = "";
    public byte[] Content { get; set; } = [];
}

internal sealed class DiscoveryRunConfiguration : IEntityTypeConfiguration<DiscoveryRun>
{
    public void Configure(EntityTypeBuilder<DiscoveryRun> builder)
    {
        builder.HasIndex(r => new { r.CaseId, r.State });
        builder.Property(r => r.RequestedById).HasMaxLength(450);
        builder.Property(r => r.RequestedByName).HasMaxLength(CaseLimits.NameLength);
        builder.Property(r => r.Domains).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(r => r.Error).HasMaxLength(CaseLimits.LongTextLength);
        builder.HasOne<Case>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(r => r.Contacts).WithOne().HasForeignKey(c => c.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Evidence).WithOne().HasForeignKey(e => e.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class DiscoveredContactConfiguration : IEntityTypeConfiguration<DiscoveredContact>
{
    public void Configure(EntityTypeBuilder<DiscoveredContact> builder)
    {
        builder.HasIndex(c => c.CaseId);
        builder.Property(c => c.Address).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(c => c.Name).HasMaxLength(CaseLimits.NameLength);
        builder.Property(c => c.Reason).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(c => c.EvidenceSha256).HasMaxLength(64);
        builder.Property(c => c.DecidedById).HasMaxLength(450);
        builder.Property(c => c.DecidedByName).HasMaxLength(CaseLimits.NameLength);
    }
}

internal sealed class DiscoveryEvidenceRecordConfiguration : IEntityTypeConfiguration<DiscoveryEvidenceRecord>
{
    public void Configure(EntityTypeBuilder<DiscoveryEvidenceRecord> builder)
    {
        builder.HasIndex(e => new { e.RunId, e.Sha256 }).IsUnique();
        builder.Property(e => e.Sha256).HasMaxLength(64);
        builder.Property(e => e.Origin).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(e => e.MediaType).HasMaxLength(100);
    }
}
