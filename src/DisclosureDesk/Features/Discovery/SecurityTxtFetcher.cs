using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Discovery;

/// <summary>A security.txt fetched from a domain, parsed, with the bytes it was parsed from.</summary>
public sealed record FetchedSecurityTxt(string Domain, Uri Uri, bool FromLegacyPath, SecurityTxt Document, byte[] Content);

/// <summary>
/// Fetches <c>https://{domain}/.well-known/security.txt</c> and, when that fails, the legacy <c>/security.txt</c>
/// (RFC 9116 §3), over HTTPS only, through <see cref="DiscoveryHttp"/>.
/// </summary>
public sealed class SecurityTxtFetcher(DiscoveryHttp http, IOptions<DiscoveryOptions> options, TimeProvider time)
{
    public async Task<FetchedSecurityTxt> FetchAsync(string domain, CancellationToken cancellationToken)
    {
        var rules = new FetchRules(options.Value.SecurityTxtMaxBytes, HttpsOnly: true, "text/plain");
        var failures = new List<string>();
        foreach (var (path, legacy) in new[] { ("/.well-known/security.txt", false), ("/security.txt", true) })
        {
            var uri = new UriBuilder(Uri.UriSchemeHttps, domain, -1, path).Uri;
            try
            {
                var fetched = await http.GetAsync(uri, rules, cancellationToken);
                // A site that answers every path with its home page (a "soft 404") is not publishing a security.txt.
                if (fetched.MediaType is { } mediaType && !mediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"{uri} is {mediaType}, not text/plain.");
                    continue;
                }
                var parsed = SecurityTxtParser.Parse(fetched.Content, time.GetUtcNow(), options.Value.SecurityTxtMaxBytes);
                if (parsed.Document is null)
                {
                    failures.Add($"{fetched.FinalUri}: {parsed.Error}");
                    continue;
                }
                return new FetchedSecurityTxt(domain, fetched.FinalUri, legacy, parsed.Document, fetched.Content);
            }
            catch (FetchException e)
            {
                failures.Add(e.Message);
            }
        }
        throw new FetchException($"No usable security.txt for {domain}: {string.Join(" ", failures)}");
    }
}
