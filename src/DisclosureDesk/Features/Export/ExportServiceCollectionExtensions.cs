using DisclosureDesk.Features.Users;

namespace DisclosureDesk.Features.Export;

public static class ExportServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddExport(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CaseExport.Handler>();
        builder.Services.AddScoped<ExportPreview.Handler>();
        return builder;
    }

    /// <summary>
    /// <c>GET /cases/{reference}/export?format=json|md|csv&amp;profile=full|owner|public</c>: always a download. A case the
    /// user may not see is a 404, like one that does not exist, so references cannot be probed.
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
                var file = user is null ? null : await handler.HandleAsync(new CaseExport.Query(reference, exportFormat, exportProfile), user, cancellationToken);
                if (file is null)
                {
                    return Results.NotFound();
                }
                // A full export holds contacts, evidence hashes and internal notes; no shared cache should keep a copy.
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.XContentTypeOptions = "nosniff";
                return Results.File(file.Content, file.ContentType, file.FileName);
            })
            .RequireAuthorization(Policies.ApprovedUser);
        return endpoints;
    }
}
