using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Infrastructure.Data;

/// <summary>
/// The application's only context. It is never instantiated directly: each database provider has a
/// subclass (<see cref="SqliteAppDbContext"/>, <see cref="PostgreSqlAppDbContext"/>) so that EF Core
/// can keep one set of migrations per provider (ADR-002).
/// </summary>
public abstract class AppDbContext(DbContextOptions options) : IdentityDbContext<ApplicationUser>(options), IDataProtectionKeyContext
{
    /// <summary>The Data Protection key ring on PostgreSQL, shared by every instance (ADR-023); empty on SQLite, whose keys are files.</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Case> Cases => Set<Case>();
    public DbSet<CaseMember> CaseMembers => Set<CaseMember>();
    public DbSet<CaseContact> CaseContacts => Set<CaseContact>();
    public DbSet<TimelineEvent> TimelineEvents => Set<TimelineEvent>();
    public DbSet<CaseNumberCounter> CaseNumberCounters => Set<CaseNumberCounter>();
    public DbSet<AppSetting> AppSettings => Set<AppSetting>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    /// <summary>The sending lanes every instance shares on PostgreSQL (ADR-027); empty on SQLite, whose lanes live in the process.</summary>
    public DbSet<SendPacingLane> SendPacingLanes => Set<SendPacingLane>();
    public DbSet<VendorResponse> VendorResponses => Set<VendorResponse>();
    public DbSet<EvidenceFile> EvidenceFiles => Set<EvidenceFile>();
    public DbSet<Features.Responses.Mail.InboundMessage> InboundMessages => Set<Features.Responses.Mail.InboundMessage>();
    public DbSet<Features.Responses.Mail.InboundFolder> InboundFolders => Set<Features.Responses.Mail.InboundFolder>();
    public DbSet<Features.Notifications.Templates.EmailTemplateVersion> EmailTemplateVersions => Set<Features.Notifications.Templates.EmailTemplateVersion>();
    public DbSet<Features.Escalation.EscalationAuthority> EscalationAuthorities => Set<Features.Escalation.EscalationAuthority>();
    public DbSet<Features.Calendar.CalendarFeed> CalendarFeeds => Set<Features.Calendar.CalendarFeed>();
    public DbSet<Features.Api.PersonalAccessToken> PersonalAccessTokens => Set<Features.Api.PersonalAccessToken>();
    public DbSet<Features.Campaigns.Campaign> Campaigns => Set<Features.Campaigns.Campaign>();
    public DbSet<Features.Campaigns.CampaignRecipient> CampaignRecipients => Set<Features.Campaigns.CampaignRecipient>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configurationBuilder.Properties<DateTime?>().HaveConversion<UtcDateTimeConverter>();
    }
}

public sealed class SqliteAppDbContext(DbContextOptions<AppDbContext> options) : AppDbContext(options);

public sealed class PostgreSqlAppDbContext(DbContextOptions<AppDbContext> options) : AppDbContext(options);
