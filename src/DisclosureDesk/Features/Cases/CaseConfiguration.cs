using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Cases;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> builder)
    {
        builder.Property(c => c.Reference).HasMaxLength(CaseLimits.ReferenceLength);
        builder.HasIndex(c => c.Reference).IsUnique();
        builder.Property(c => c.Title).HasMaxLength(CaseLimits.TitleLength);
        builder.Property(c => c.Summary).HasMaxLength(CaseLimits.SummaryLength);
        builder.Property(c => c.Tags).HasMaxLength(CaseLimits.TagsLength);
        builder.Property(c => c.DuplicateOfReference).HasMaxLength(CaseLimits.ReferenceLength);
        builder.Property(c => c.Host).HasMaxLength(CaseLimits.HostLength);
        builder.Property(c => c.HostKey).HasMaxLength(CaseLimits.HostLength);
        builder.Property(c => c.Asn).HasMaxLength(CaseLimits.ShortTextLength);
        builder.Property(c => c.HostingProvider).HasMaxLength(CaseLimits.NameLength);
        builder.Property(c => c.DatabaseNames).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(c => c.AffectedCountry).HasMaxLength(2);
        builder.Property(c => c.DiscoveryMethod).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(c => c.OrganizationName).HasMaxLength(CaseLimits.NameLength);
        builder.Property(c => c.OrganizationKey).HasMaxLength(CaseLimits.NameLength);
        builder.Property(c => c.OrganizationWebsite).HasMaxLength(CaseLimits.UrlLength);
        builder.Property(c => c.LeadId).HasMaxLength(450);
        builder.Property(c => c.DisclosurePolicy).HasMaxLength(CaseLimits.ShortTextLength);
        builder.Property(c => c.DisclosurePolicyId).HasMaxLength(32);
        // The reminder job's query: open cases whose deadline falls in the coming days.
        builder.HasIndex(c => c.DisclosureDeadlineAt);
        builder.Property(c => c.LastEventHash).HasMaxLength(64);
        builder.Property(c => c.LastEventSequence).IsConcurrencyToken();

        // Every list ordering is keyset-paged on (column, Id); each needs its composite index.
        builder.HasIndex(c => new { c.CreatedAt, c.Id });
        builder.HasIndex(c => new { c.UpdatedAt, c.Id });
        builder.HasIndex(c => new { c.Severity, c.Id });
        builder.HasIndex(c => new { c.HostKey, c.Id });
        builder.HasIndex(c => new { c.OrganizationKey, c.Id });
        builder.HasIndex(c => new { c.Status, c.Id });
        builder.HasIndex(c => new { c.LeadId, c.Id });

        builder.HasOne<Infrastructure.Data.ApplicationUser>().WithMany().HasForeignKey(c => c.LeadId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Members).WithOne().HasForeignKey(m => m.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(c => c.Contacts).WithOne().HasForeignKey(m => m.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CaseMemberConfiguration : IEntityTypeConfiguration<CaseMember>
{
    public void Configure(EntityTypeBuilder<CaseMember> builder)
    {
        builder.HasKey(m => new { m.CaseId, m.UserId });
        builder.HasIndex(m => new { m.UserId, m.CaseId });
        builder.Property(m => m.UserId).HasMaxLength(450);
        builder.HasOne<Infrastructure.Data.ApplicationUser>().WithMany().HasForeignKey(m => m.UserId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CaseContactConfiguration : IEntityTypeConfiguration<CaseContact>
{
    public void Configure(EntityTypeBuilder<CaseContact> builder)
    {
        builder.Property(c => c.Name).HasMaxLength(CaseLimits.NameLength);
        builder.Property(c => c.Email).HasMaxLength(CaseLimits.EmailLength);
        builder.Property(c => c.Role).HasMaxLength(CaseLimits.ShortTextLength);
        builder.Property(c => c.BounceDetail).HasMaxLength(CaseLimits.LongTextLength);
    }
}

internal sealed class CaseNumberCounterConfiguration : IEntityTypeConfiguration<CaseNumberCounter>
{
    public void Configure(EntityTypeBuilder<CaseNumberCounter> builder)
    {
        builder.HasKey(c => c.Year);
        builder.Property(c => c.Year).ValueGeneratedNever();
    }
}
