using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Responses;

internal sealed class VendorResponseConfiguration : IEntityTypeConfiguration<VendorResponse>
{
    public void Configure(EntityTypeBuilder<VendorResponse> builder)
    {
        builder.HasIndex(r => new { r.CaseId, r.RespondedAt });
        builder.Property(r => r.RespondedBy).HasMaxLength(CaseLimits.NameLength);
        builder.Property(r => r.Summary).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(r => r.VerbatimText).HasMaxLength(ResponseLimits.VerbatimLength);
        builder.Property(r => r.VerbatimSha256).HasMaxLength(64);
        builder.Property(r => r.LoggedById).HasMaxLength(450);
        builder.Property(r => r.LoggedByName).HasMaxLength(CaseLimits.NameLength);
        builder.HasOne<Case>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}
