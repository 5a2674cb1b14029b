using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Responses.Mail;

internal sealed class InboundMessageConfiguration : IEntityTypeConfiguration<InboundMessage>
{
    public void Configure(EntityTypeBuilder<InboundMessage> builder)
    {
        builder.HasIndex(m => m.DedupKey).IsUnique();
        builder.HasIndex(m => new { m.State, m.ReceivedAt });
        builder.HasIndex(m => m.CaseId);
        builder.Property(m => m.DedupKey).HasMaxLength(64);
        builder.Property(m => m.MessageId).HasMaxLength(InboundLimits.TextLength);
        builder.Property(m => m.Folder).HasMaxLength(InboundLimits.TextLength);
        builder.Property(m => m.Sha256).HasMaxLength(64);
        builder.Property(m => m.From).HasMaxLength(InboundLimits.TextLength);
        builder.Property(m => m.Subject).HasMaxLength(InboundLimits.TextLength);
        builder.Property(m => m.Classification).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(m => m.Error).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(m => m.TriagedById).HasMaxLength(450);
        builder.Property(m => m.TriagedByName).HasMaxLength(CaseLimits.NameLength);
        builder.Property(m => m.DiscardReason).HasMaxLength(CaseLimits.LongTextLength);
        builder.HasOne(m => m.Evidence).WithMany().HasForeignKey(m => m.EvidenceFileId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Case>().WithMany().HasForeignKey(m => m.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class InboundFolderConfiguration : IEntityTypeConfiguration<InboundFolder>
{
    public void Configure(EntityTypeBuilder<InboundFolder> builder)
    {
        builder.HasKey(f => f.Name);
        builder.Property(f => f.Name).HasMaxLength(InboundLimits.TextLength);
    }
}
