using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Discovery;

/// <summary>What one fetch accepts: its size cap, whether every hop must be HTTPS, and the media type asked for.</summary>
public sealed record FetchRules(int MaxBytes, bool HttpsOnly, string Accept);

/// <summary>A fetched response body, with the address it was asked for and the one it finally came from.</summary>
public sealed record FetchedResource(Uri RequestedUri, Uri FinalUri, int StatusCode, string? MediaType, byte[] Content);

/// <summary>A fetch failed; the message says why in words a researcher can act on.</summary>
public sealed class FetchException(string message, HttpStatusCode? statusCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    public HttpStatusCode? StatusCode { get; } = statusCode;

    /// <summary>How long the server asked to be left alone (its Retry-After), when it answered 429 or 503 with one.</summary>
    public TimeSpan? RetryAfter { get; init; }
}

/// <summary>
/// Every HTTP request discovery makes: the guarded named client (no automatic redirects, no proxy, no
/// decompression), a manual redirect loop whose every hop connects through <see cref="AddressGuard"/> again,
/// a timeout per request and a size cap enforced while the body is read.
/// </summary>
public sealed class DiscoveryHttp(IHttpClientFactory clients, IOptions<DiscoveryOptions> options, TimeProvider time)
{
    public const string ClientName = "Discovery";

    internal static SocketsHttpHandler CreateHandler(AddressGuard guard, DiscoveryOptions options) => new()
    {
        AllowAutoRedirect = false,
        // A proxy would make the guard vet the proxy's address instead of the target's.
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = options.RequestTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = await guard.ConnectAsync(context.DnsEndPoint.Host, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    };

    public async Task<FetchedResource> GetAsync(Uri uri, FetchRules rules, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var client = clients.CreateClient(ClientName);
        var current = uri;
        for (var hop = 0; ; hop++)
        {
            CheckScheme(current, rules);
            using var timeout = new CancellationTokenSource(settings.RequestTimeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current)
                {
                    // HTTP/3 runs over QUIC, which does not go through ConnectCallback (and so not through the guard).
                    Version = HttpVersion.Version11,
                    VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
                };
                request.Headers.Accept.Add(MediaTypeWithQualityHeaderValue.Parse(rules.Accept));
                request.Headers.UserAgent.ParseAdd("DisclosureDesk-Discovery/1.0");
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                var status = (int)response.StatusCode;
                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    if (hop >= settings.MaxRedirects)
                    {
                        throw new FetchException($"{uri} redirected more than {settings.MaxRedirects} times.");
                    }
                    var location = response.Headers.Location
                        ?? throw new FetchException($"{current} answered {status} without a Location.", response.StatusCode);
                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    throw new FetchException($"{current} answered HTTP {status}.", response.StatusCode) { RetryAfter = RetryAfter(response) };
                }
                var content = await ReadCappedAsync(response, current, rules.MaxBytes, linked.Token);
                return new FetchedResource(uri, current, status, response.Content.Headers.ContentType?.MediaType, content);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new FetchException($"{current} did not answer within {settings.RequestTimeoutSeconds} s.");
            }
            catch (HttpRequestException e)
            {
                throw Explain(current, e);
            }
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static void CheckScheme(Uri uri, FetchRules rules)
    {
        if (uri.Scheme != Uri.UriSchemeHttps && (rules.HttpsOnly || uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new FetchException(rules.HttpsOnly
                ? $"{uri} is not HTTPS; this fetch follows HTTPS only."
                : $"{uri} is neither HTTP nor HTTPS.");
        }
    }

    private static async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, Uri uri, int maxBytes, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is { } length && length > maxBytes)
        {
            throw new FetchException($"{uri} is {length} bytes, over the {maxBytes}-byte limit.");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            // Checked while reading: a server that sends no length, or lies about it, still stops at the cap.
            if (body.Length + read > maxBytes)
            {
                throw new FetchException($"{uri} is over the {maxBytes}-byte limit; reading stopped there.");
            }
            body.Write(chunk, 0, read);
        }
        return body.ToArray();
    }

    private static FetchException Explain(Uri uri, HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is BlockedAddressException blocked)
            {
                return new FetchException($"Refused {uri}: {blocked.Message}", null, blocked);
            }
        }
        return new FetchException($"{uri} could not be fetched: {e.Message}", e.StatusCode, e);
    }
}
