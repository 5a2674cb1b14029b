using DisclosureDesk.Features.Users;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Discovery;

public static class DiscoveryServiceCollectionExtensions
{
    /// <summary>Owner discovery (security.txt, RDAP, reverse DNS, TLS names) behind the SSRF guard. See ADR-015.</summary>
    public static IHostApplicationBuilder AddDiscovery(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DiscoveryOptions>()
            .BindConfiguration(DiscoveryOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => string.IsNullOrWhiteSpace(o.RdapBootstrapDirectory) || Directory.Exists(o.RdapBootstrapDirectory),
                "Discovery:RdapBootstrapDirectory names a folder that does not exist.")
            .ValidateOnStart();
        builder.Services.AddSingleton<AddressGuard>();
        builder.Services.AddHttpClient(DiscoveryHttp.ClientName, client =>
            {
                // DiscoveryHttp applies its own timeout per request through the injected TimeProvider.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.MaxResponseContentBufferSize = 16 * 1024 * 1024;
            })
            .ConfigurePrimaryHttpMessageHandler(services => DiscoveryHttp.CreateHandler(
                services.GetRequiredService<AddressGuard>(),
                services.GetRequiredService<IOptions<DiscoveryOptions>>().Value));
        builder.Services.AddSingleton(services =>
            RdapBootstrap.Load(services.GetRequiredService<IOptions<DiscoveryOptions>>().Value.RdapBootstrapDirectory));
        builder.Services.AddSingleton<DiscoveryHttp>();
        builder.Services.AddSingleton<SecurityTxtFetcher>();
        builder.Services.AddSingleton<RdapLookup>();
        builder.Services.AddSingleton<TlsProbe>();
        builder.Services.AddSingleton<OwnerDiscovery>();
        builder.Services.AddScoped<FindCaseContacts.Handler>();
        builder.Services.AddScoped<FindOwnerContactsJob>();
        return builder;
    }

    /// <summary>
    /// <c>GET /cases/{reference}/discovery/proposals/{id}/evidence</c>: the bytes a proposed contact was read from (a
    /// security.txt, an RDAP response, a certificate), always as a download. A case the user may not see is a 404,
    /// like one that does not exist.
    /// </summary>
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/cases/{reference}/discovery/proposals/{id:long}/evidence",
                async (string reference, long id, HttpContext context, FindCaseContacts.Handler handler, CancellationToken cancellationToken) =>
            {
                var user = CurrentUser.From(context.User);
                var evidence = user is null ? null : await handler.EvidenceAsync(reference, id, user, cancellationToken);
                if (evidence is null)
                {
                    return Results.NotFound();
                }
                context.Response.Headers.CacheControl = "no-store";
                context.Response.Headers.ContentSecurityPolicy = "sandbox";
                return Results.File(evidence.Content, evidence.MediaType, evidence.FileName);
            })
            .RequireAuthorization(Policies.ApprovedUser);
        return endpoints;
    }
}
