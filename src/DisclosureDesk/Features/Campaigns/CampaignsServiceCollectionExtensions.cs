namespace DisclosureDesk.Features.Campaigns;

public static class CampaignsServiceCollectionExtensions
{
    /// <summary>Campaigns: one umbrella case, many recipients, each with its own state. See ADR-021.</summary>
    public static IHostApplicationBuilder AddCampaigns(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ManageCampaign.Handler>();
        builder.Services.AddScoped<MarkUnansweredRecipientsJob>();
        return builder;
    }
}
