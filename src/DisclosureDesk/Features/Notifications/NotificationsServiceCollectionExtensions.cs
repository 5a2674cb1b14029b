using DisclosureDesk.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    /// <summary>The outbox, its delivery and sweep jobs, its page, and Identity's email sender on top of them.</summary>
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Outbox>();
        builder.Services.AddSingleton<Templates.EmailTemplateRenderer>();
        builder.Services.AddSingleton<Templates.EmailTemplateStore>();
        builder.Services.AddScoped<Templates.EditEmailTemplates.Handler>();
        builder.Services.AddSingleton<OutboxDeliveryGate>();
        // The lanes follow the provider, read once the options are bound: shared in the database on PostgreSQL (ADR-027).
        builder.Services.AddSingleton(services => SendPacingLanes.For(
            services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider, services.GetRequiredService<IDbContextFactory<AppDbContext>>()));
        builder.Services.AddSingleton<SendPacer>();
        builder.Services.AddSingleton<OutboxMetrics>();
        builder.Services.AddScoped<DeliverOutboxJob>();
        builder.Services.AddScoped<SweepOutboxJob>();
        builder.Services.AddScoped<MarkUnansweredCasesJob>();
        builder.Services.AddScoped<SendResearcherRemindersJob>();
        builder.Services.AddOptions<ReminderOptions>()
            .BindConfiguration(ReminderOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<NotifyOwner.Handler>();
        builder.Services.AddScoped<DisclosureDeadline.Handler>();
        builder.Services.AddScoped<ListOutbox.Handler>();
        builder.Services.AddScoped<IEmailSender<ApplicationUser>, OutboxEmailSender>();
        return builder;
    }
}
