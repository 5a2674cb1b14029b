namespace DisclosureDesk.Features.Escalation;

public static class EscalationServiceCollectionExtensions
{
    /// <summary>The escalation ladder, and the directory of national CERTs and data-protection authorities it climbs to.</summary>
    public static IHostApplicationBuilder AddEscalation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EscalationOptions>()
            .Bind(builder.Configuration.GetSection(EscalationOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<ManageEscalationDirectory.Handler>();
        builder.Services.AddScoped<ManageEscalationLadder.Handler>();
        builder.Services.AddScoped<EscalationEmail>();
        builder.Services.AddScoped<EscalateSilentCasesJob>();
        return builder;
    }
}
