using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Discovery;

/// <summary>The certificate a service presented, read for its names (not trusted: see <see cref="TlsProbe"/>).</summary>
public sealed record TlsCertificateInfo(
    string Host,
    int Port,
    string Subject,
    string Issuer,
    IReadOnlyList<string> DnsNames,
    string? Email,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter,
    string ValidationErrors,
    byte[] Der)
{
    public string Sha256 => Convert.ToHexStringLower(SHA256.HashData(Der));
}

/// <summary>
/// Connects (through <see cref="AddressGuard"/>) and reads the certificate a TLS service presents. The validation
/// callback records the certificate and accepts it: discovery wants the names an exposed server claims, and an
/// invalid or self-signed certificate is common on exactly those servers. Nothing is sent after the handshake.
/// </summary>
public sealed class TlsProbe(AddressGuard guard, IOptions<DiscoveryOptions> options, TimeProvider time)
{
    public async Task<TlsCertificateInfo> ProbeAsync(string host, int port, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var timeout = new CancellationTokenSource(settings.TlsHandshakeTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        X509Certificate2? presented = null;
        var errors = SslPolicyErrors.None;
        try
        {
            var socket = await guard.ConnectAsync(host, port, linked.Token);
            await using var stream = new SslStream(new System.Net.Sockets.NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = host.Trim('[', ']'),
                RemoteCertificateValidationCallback = (_, certificate, _, policyErrors) =>
                {
                    if (certificate is not null)
                    {
                        presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                    }
                    errors = policyErrors;
                    return true;
                },
            }, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            presented?.Dispose();
            throw new FetchException($"{host}:{port} did not complete a TLS handshake within {settings.TlsHandshakeTimeoutSeconds} s.");
        }
        catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or System.Net.Sockets.SocketException)
        {
            presented?.Dispose();
            throw new FetchException($"{host}:{port} does not speak TLS: {e.Message}", null, e);
        }
        using var certificate = presented ?? throw new FetchException($"{host}:{port} presented no certificate.");
        return Describe(host, port, certificate, errors);
    }

    internal static TlsCertificateInfo Describe(string host, int port, X509Certificate2 certificate, SslPolicyErrors errors)
    {
        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
        }
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (!string.IsNullOrEmpty(commonName) && Uri.CheckHostName(commonName.TrimStart('*', '.')) == UriHostNameType.Dns)
        {
            names.Add(commonName);
        }
        var email = certificate.GetNameInfo(X509NameType.EmailName, forIssuer: false);
        return new TlsCertificateInfo(
            host,
            port,
            certificate.Subject,
            certificate.Issuer,
            names.Select(n => n.ToLowerInvariant()).Distinct().ToList(),
            string.IsNullOrEmpty(email) ? null : email,
            new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero),
            new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero),
            errors.ToString(),
            certificate.RawData);
    }
}
