using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.Features.Cases;

public static class CasesServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddCases(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CaseOptions>()
            .BindConfiguration(CaseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddScoped<CaseWriter>();
        builder.Services.AddScoped<CreateCase.Handler>();
        builder.Services.AddScoped<EditCase.Handler>();
        builder.Services.AddScoped<ChangeCaseStatus.Handler>();
        builder.Services.AddScoped<ManageCaseTeam.Handler>();
        builder.Services.AddScoped<ManageCaseContacts.Handler>();
        builder.Services.AddScoped<ListCases.Handler>();
        builder.Services.AddScoped<GetCase.Handler>();
        builder.Services.AddScoped<GetCaseTimeline.Handler>();
        builder.Services.AddScoped<VerifyAuditTrail.Handler>();
        builder.Services.AddScoped<AddCaseNote.Handler>();
        builder.Services.AddSingleton<Components.Shared.MarkdownRenderer>();
        return builder;
    }
}
