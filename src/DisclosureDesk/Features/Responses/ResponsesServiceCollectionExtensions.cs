namespace DisclosureDesk.Features.Responses;

public static class ResponsesServiceCollectionExtensions
{
    /// <summary>Logging the owner's answers on a case.</summary>
    public static IHostApplicationBuilder AddResponses(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<LogResponse.Handler>();
        return builder;
    }
}
