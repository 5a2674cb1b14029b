using DisclosureDesk.Features.Users;

namespace DisclosureDesk.Features.Export;

public static class ExportServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddExport(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ExportOptions>()
            .BindConfiguration(ExportOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<CaseExport.Handler>();
        builder.Services.AddScoped<ExportPreview.Handler>();
        return builder;
    }

    /// <summary>
    /// <c>GET /cases/{reference}/export?format=json|md|csv|html|csaf&amp;profile=full|owner|public</c>: always a download, streamed
    /// into the response as the events are read. A case the user may not see is a 404, like one that does not
    /// exist, so references cannot be probed.
    /// </summary>
    public static IEndpointRouteBuilder MapExport(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/cases/{reference}/export", async (string reference, string? format, string? profile, HttpContext context, CaseExport.Handler handler, CancellationToken cancellationToken) =>
            {
                if (!ExportChoices.TryParseFormat(format, out var exportFormat))
                {
                    return Results.BadRequest($"Unknown format '{format}'. Formats: {ExportChoices.FormatNames}.");
                }
                if (!ExportChoices.TryParseProfile(profile, out var exportProfile))
                {
                    return Results.BadRequest($"Unknown profile '{profile}'. Profiles: {ExportChoices.ProfileNames}.");
                }
                var user = CurrentUser.From(context.User);
                await using var download = user is null ? null : await handler.OpenAsync(new CaseExport.Query(reference, exportFormat, exportProfile), user, cancellationToken);
                if (download is null)
                {
                    return Results.NotFound();
                }
                await download.SendAsync(context.Response, cancellationToken);
                return Results.Empty;
            })
            .RequireAuthorization(Policies.ApprovedUser);
        return endpoints;
    }
}
