using DisclosureDesk.Features.Users;

namespace DisclosureDesk.Features.Evidence;

public static class EvidenceServiceCollectionExtensions
{
    /// <summary>The encrypted evidence store, its download endpoint and the retention purge.</summary>
    public static IHostApplicationBuilder AddEvidence(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EvidenceOptions>()
            .BindConfiguration(EvidenceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<EvidenceProtector>();
        builder.Services.AddScoped<ManageEvidence.Handler>();
        builder.Services.AddScoped<PurgeExpiredEvidenceJob>();
        return builder;
    }

    /// <summary>
    /// <c>GET /cases/{reference}/evidence/{id}</c>: the decrypted file, always as a download (never rendered by the
    /// browser, whatever it contains). A file the user may not see is a 404, like one that does not exist.
    /// </summary>
    public static IEndpointRouteBuilder MapEvidence(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/cases/{reference}/evidence/{id:long}", async (string reference, long id, HttpContext context, ManageEvidence.Handler handler, CancellationToken cancellationToken) =>
            {
                var user = CurrentUser.From(context.User);
                var download = user is null ? null : await handler.DownloadAsync(reference, id, user, cancellationToken);
                if (download is null)
                {
                    return Results.NotFound();
                }
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.ContentSecurityPolicy = "sandbox";
                return Results.File(download.Content, download.ContentType, download.FileName);
            })
            .RequireAuthorization(Policies.ApprovedUser);
        return endpoints;
    }
}
