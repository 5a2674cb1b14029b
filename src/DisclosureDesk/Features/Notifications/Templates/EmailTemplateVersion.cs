using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>
/// One saved version of an email template. Versions are only ever added: the newest one of a template is
/// the one emails are rendered with, and an earlier text is brought back by saving it again.
/// </summary>
public class EmailTemplateVersion
{
    public long Id { get; set; }
    public EmailTemplateId TemplateId { get; set; }

    /// <summary>1-based per template. Unique with <see cref="TemplateId"/>, so two administrators saving at once cannot both become version n.</summary>
    public int Version { get; set; }

    /// <summary>
    /// The whole template file, or null for "the shipped default" (Reset to default). A reset follows the default
    /// as it improves with new releases instead of freezing today's copy of it.
    /// </summary>
    public string? Source { get; set; }
    public DateTime SavedAt { get; set; }
    public string SavedById { get; set; } = "";
    public string SavedByName { get; set; } = "";
    public string? Note { get; set; }

    /// <summary>The version this one brought back, when it was saved by Restore.</summary>
    public int? RestoredFromVersion { get; set; }

    public bool IsDefault => Source is null;
}

public static class EmailTemplateLimits
{
    public const int SourceLength = 50_000;
    public const int NoteLength = 500;
}

internal sealed class EmailTemplateVersionConfiguration : IEntityTypeConfiguration<EmailTemplateVersion>
{
    public void Configure(EntityTypeBuilder<EmailTemplateVersion> builder)
    {
        builder.ToTable("EmailTemplateVersions");
        // Also the active-version query: the newest Version per TemplateId is read from this index alone.
        builder.HasIndex(v => new { v.TemplateId, v.Version }).IsUnique();
        builder.Property(v => v.Source).HasMaxLength(EmailTemplateLimits.SourceLength);
        builder.Property(v => v.SavedById).HasMaxLength(450);
        builder.Property(v => v.SavedByName).HasMaxLength(CaseLimits.NameLength);
        builder.Property(v => v.Note).HasMaxLength(EmailTemplateLimits.NoteLength);
        builder.Ignore(v => v.IsDefault);
    }
}
