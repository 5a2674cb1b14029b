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
}
