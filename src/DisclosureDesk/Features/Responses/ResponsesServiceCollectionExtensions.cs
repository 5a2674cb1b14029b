using DisclosureDesk.Features.Responses.Mail;

namespace DisclosureDesk.Features.Responses;

public static class ResponsesServiceCollectionExtensions
{
    /// <summary>Logging the owner's answers on a case, and reading them from the mailbox when one is configured.</summary>
    public static IHostApplicationBuilder AddResponses(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<LogResponse.Handler>();
        builder.Services.AddOptions<InboundOptions>()
            .BindConfiguration(InboundOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<InboundProtector>();
        builder.Services.AddScoped<IngestInboundMail.Handler>();
        builder.Services.AddScoped<PollInboundMailJob>();
        builder.Services.AddScoped<TriageInboundMail.Handler>();
        return builder;
    }
}
