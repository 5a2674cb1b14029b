using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Notifications;

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.ToTable("OutboxMessages");
        builder.Property(m => m.To).HasMaxLength(OutboxLimits.ToLength);
        builder.Property(m => m.Subject).HasMaxLength(OutboxLimits.SubjectLength);
        builder.Property(m => m.MessageId).HasMaxLength(OutboxLimits.MessageIdLength);
        builder.Property(m => m.LastError).HasMaxLength(OutboxLimits.ErrorLength);
        builder.Property(m => m.Sha256).HasMaxLength(64);
        builder.Property(m => m.Version).IsConcurrencyToken();
        builder.HasIndex(m => m.MessageId).IsUnique();
        builder.Property(m => m.DedupKey).HasMaxLength(OutboxLimits.DedupKeyLength);
        builder.HasIndex(m => m.DedupKey).IsUnique();
        // The sweep's query: rows in a given state whose next attempt time has passed.
        builder.HasIndex(m => new { m.State, m.NextAttemptAt });
        // The Outbox page and the case's email list, newest first, keyset-paged on (CreatedAt, Id).
        builder.HasIndex(m => new { m.CreatedAt, m.Id });
        builder.HasIndex(m => new { m.CaseId, m.CreatedAt, m.Id });
        builder.HasIndex(m => m.CampaignRecipientId);
        builder.HasOne<Campaigns.CampaignRecipient>().WithMany().HasForeignKey(m => m.CampaignRecipientId).OnDelete(DeleteBehavior.Restrict);
        builder.HasOne<Case>().WithMany().HasForeignKey(m => m.CaseId).OnDelete(DeleteBehavior.Restrict);
    }
}

public static class OutboxLimits
{
    public const int ToLength = 2000;
    public const int SubjectLength = 998;
    public const int MessageIdLength = 250;
    public const int ErrorLength = 2000;
    public const int DedupKeyLength = 200;
}
