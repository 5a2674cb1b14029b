namespace DisclosureDesk.Features.Escalation;

public static class EscalationServiceCollectionExtensions
{
    /// <summary>The directory of national CERTs and data-protection authorities escalations go to.</summary>
    public static IHostApplicationBuilder AddEscalation(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ManageEscalationDirectory.Handler>();
        return builder;
    }
}
