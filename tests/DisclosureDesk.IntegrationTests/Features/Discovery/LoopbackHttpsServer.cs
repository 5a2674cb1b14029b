using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DisclosureDesk.IntegrationTests.Features.Discovery;

/// <summary>
/// A Kestrel HTTPS server on 127.0.0.1 and a free port, with a self-signed certificate made for the test. Tests map
/// paths to answers (security.txt, RDAP JSON, redirects) and read which paths were asked for.
/// </summary>
public sealed class LoopbackHttpsServer : IAsyncDisposable
{
    /// <summary>The address the test certificate's subject carries (E=), as some self-signed certificates do.</summary>
    public const string CertificateEmail = "hostmaster@owner.example";

    // One key pair for the whole run: generating RSA keys per test is the slow part of starting a server.
    private static readonly Lazy<X509Certificate2> SharedCertificate = new(CreateCertificate);

    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private WebApplication _app = null!;

    private LoopbackHttpsServer(X509Certificate2 certificate) => Certificate = certificate;

    public X509Certificate2 Certificate { get; }
    public int Port { get; private set; }
    public Uri BaseUri => new($"https://127.0.0.1:{Port}/");
    public ConcurrentQueue<string> Requests { get; } = new();

    public static async Task<LoopbackHttpsServer> StartAsync()
    {
        var server = new LoopbackHttpsServer(SharedCertificate.Value);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(server.Certificate)));
        server._app = builder.Build();
        server._app.Run(async context =>
        {
            var path = context.Request.Path.Value ?? "/";
            server.Requests.Enqueue(path);
            if (server._routes.TryGetValue(path, out var answer))
            {
                await answer(context);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });
        await server._app.StartAsync();
        server.Port = new Uri(server._app.Urls.Single()).Port;
        return server;
    }

    public void Map(string path, Func<HttpContext, Task> answer) => _routes[path] = answer;

    public void Serve(string path, byte[] body, string contentType) => Map(path, async context =>
    {
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body);
    });

    public void Serve(string path, string body, string contentType = "text/plain; charset=utf-8") =>
        Serve(path, Encoding.UTF8.GetBytes(body), contentType);

    public void Redirect(string path, string location, int status = StatusCodes.Status302Found) => Map(path, context =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    });

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=localhost, E={CertificateEmail}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = TimeProvider.System.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        // Kestrel on Linux needs the key in a loaded PKCS#12, not the ephemeral one CreateSelfSigned attaches.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }
}
