using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Evidence;

internal sealed class EvidenceFileConfiguration : IEntityTypeConfiguration<EvidenceFile>
{
    public void Configure(EntityTypeBuilder<EvidenceFile> builder)
    {
        builder.HasIndex(e => e.CaseId);
        builder.HasIndex(e => e.PurgedAt);
        builder.Property(e => e.FileName).HasMaxLength(EvidenceLimits.FileNameLength);
        builder.Property(e => e.ContentType).HasMaxLength(100);
        builder.Property(e => e.Sha256).HasMaxLength(64);
        builder.Property(e => e.Description).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(e => e.UploadedById).HasMaxLength(450);
        builder.Property(e => e.UploadedByName).HasMaxLength(CaseLimits.NameLength);
        builder.HasOne<Case>().WithMany().HasForeignKey(e => e.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class EvidenceContentConfiguration : IEntityTypeConfiguration<EvidenceContent>
{
    public void Configure(EntityTypeBuilder<EvidenceContent> builder)
    {
        builder.HasKey(c => c.EvidenceFileId);
        builder.HasOne<EvidenceFile>().WithOne(e => e.Content).HasForeignKey<EvidenceContent>(c => c.EvidenceFileId).OnDelete(DeleteBehavior.Cascade);
    }
}
