using System.Net.Sockets;
using DisclosureDesk.Features.Discovery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Time.Testing;

namespace DisclosureDesk.IntegrationTests.Features.Discovery;

/// <summary>
/// The discovery services exactly as <c>AddDiscovery()</c> registers them, with a fake clock, loopback allowed, and
/// the named client trusting the test server's self-signed certificate. With <c>redirectHttpsPort</c>, the one
/// test-only change: connections to port 443 (where security.txt lives) go to the test server's port, still
/// through the same <see cref="AddressGuard"/>.
/// </summary>
public sealed class DiscoveryHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    public DiscoveryHarness(LoopbackHttpsServer server, IDictionary<string, string?>? settings = null,
        RdapBootstrap? bootstrap = null, bool allowLoopback = true, bool redirectHttpsPort = true)
    {
        var values = new Dictionary<string, string?>
        {
            ["Discovery:AllowLoopback"] = allowLoopback ? "true" : "false",
            ["Discovery:RdapFallbackBaseUrl"] = new Uri(server.BaseUri, "arin/").ToString(),
            ["Discovery:TlsHandshakeTimeoutSeconds"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.AddDiscovery();
        if (bootstrap is not null)
        {
            builder.Services.AddSingleton(bootstrap);
        }
        var thumbprint = server.Certificate.GetCertHashString();
        builder.Services.Configure<HttpClientFactoryOptions>(DiscoveryHttp.ClientName, options =>
            options.HttpMessageHandlerBuilderActions.Add(handlerBuilder =>
            {
                var handler = (SocketsHttpHandler)handlerBuilder.PrimaryHandler;
                handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate?.GetCertHashString() == thumbprint;
                if (redirectHttpsPort)
                {
                    var guard = handlerBuilder.Services.GetRequiredService<AddressGuard>();
                    handler.ConnectCallback = async (context, cancellationToken) =>
                    {
                        var port = context.DnsEndPoint.Port == 443 ? server.Port : context.DnsEndPoint.Port;
                        return new NetworkStream(await guard.ConnectAsync(context.DnsEndPoint.Host, port, cancellationToken), ownsSocket: true);
                    };
                }
            }));
        _services = builder.Services.BuildServiceProvider();
    }

    public FakeTimeProvider Time { get; } = new(Now);

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
