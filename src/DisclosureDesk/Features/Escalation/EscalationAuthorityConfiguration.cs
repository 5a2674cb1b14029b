using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Escalation;

internal sealed class EscalationAuthorityConfiguration : IEntityTypeConfiguration<EscalationAuthority>
{
    public void Configure(EntityTypeBuilder<EscalationAuthority> builder)
    {
        builder.HasIndex(a => new { a.CountryCode, a.Kind });
        builder.Property(a => a.CountryCode).HasMaxLength(2);
        builder.Property(a => a.Name).HasMaxLength(CaseLimits.NameLength);
        builder.Property(a => a.Email).HasMaxLength(CaseLimits.EmailLength);
        builder.Property(a => a.Website).HasMaxLength(CaseLimits.UrlLength);
        builder.Property(a => a.Notes).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(a => a.UpdatedByName).HasMaxLength(CaseLimits.NameLength);
    }
}
