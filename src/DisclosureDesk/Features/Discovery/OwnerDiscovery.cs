using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Discovery;

/// <summary>
/// Discovers who to tell about a host: reverse DNS, the TLS certificate's names and RDAP run side by side, then
/// security.txt is fetched for every domain found. Each source's start and end is reported as it happens
/// (<see cref="DiscoveryProgressHandler"/>), and its failure recorded without stopping the others. Nothing is stored: a caller (the case's
/// background job) decides what to keep. Callable once per case, concurrently for different cases.
/// </summary>
public sealed class OwnerDiscovery(
    AddressGuard guard,
    SecurityTxtFetcher securityTxt,
    RdapLookup rdap,
    TlsProbe tls,
    IOptions<DiscoveryOptions> options,
    TimeProvider time)
{
    private static readonly int[] DefaultTlsPorts = [443];

    public async Task<DiscoveryReport> DiscoverAsync(DiscoveryRequest request, DiscoveryProgressHandler? progress, CancellationToken cancellationToken)
    {
        var run = new Run(progress, cancellationToken);
        var host = request.Host.Trim().Trim('[', ']').TrimEnd('.').ToLowerInvariant();
        var domains = new List<DiscoveredDomain>();
        var hostIsName = !IPAddress.TryParse(host, out var literal);
        if (hostIsName)
        {
            await run.FailIfAsync(DiscoverySource.SecurityTxt, host, AddDomain(domains, host, DomainOrigin.CaseHost));
        }
        foreach (var domain in request.Domains ?? [])
        {
            await run.FailIfAsync(DiscoverySource.SecurityTxt, domain, AddDomain(domains, domain, DomainOrigin.Researcher));
        }

        var addresses = literal is not null
            ? [literal]
            : await run.SourceAsync(DiscoverySource.HostAddress, host, () => guard.ResolveAsync(host, cancellationToken), cancellationToken) ?? [];
        if (literal is not null && guard.WhyBlocked(literal) is { } reason)
        {
            await run.FailIfAsync(DiscoverySource.HostAddress, host, $"{host} is a {reason} address; discovery does not look it up or connect to it.");
            addresses = [];
        }

        var certificates = new ConcurrentBag<TlsCertificateInfo>();
        var reverseNames = new ConcurrentBag<string>();
        RdapNetwork? network = null;
        RdapAutnum? autnum = null;
        var firstPhase = new List<Task>();
        if (addresses.Length > 0)
        {
            var address = addresses[0];
            var target = address.ToString();
            firstPhase.Add(run.SourceAsync(DiscoverySource.ReverseDns, target, async () =>
            {
                var name = await ReverseDnsAsync(address, cancellationToken);
                reverseNames.Add(name);
                return name;
            }, cancellationToken));
            firstPhase.Add(Task.Run(async () =>
            {
                network = await run.SourceAsync(DiscoverySource.Rdap, target, () => rdap.LookupAddressAsync(address, cancellationToken), cancellationToken);
                foreach (var error in network?.ReferralErrors ?? [])
                {
                    await run.FailIfAsync(DiscoverySource.Rdap, $"{target} referral", error);
                }
                if (network?.OriginAutnums.Count > 0)
                {
                    var number = network.OriginAutnums[0];
                    autnum = await run.SourceAsync(DiscoverySource.Rdap, $"AS{number.ToString(CultureInfo.InvariantCulture)}",
                        () => rdap.LookupAutnumAsync(number, cancellationToken), cancellationToken);
                }
            }, cancellationToken));
            foreach (var port in (request.TlsPorts ?? DefaultTlsPorts).Distinct())
            {
                firstPhase.Add(run.SourceAsync(DiscoverySource.TlsCertificate, $"{host}:{port.ToString(CultureInfo.InvariantCulture)}", async () =>
                {
                    var certificate = await tls.ProbeAsync(host, port, cancellationToken);
                    certificates.Add(certificate);
                    return certificate;
                }, cancellationToken));
            }
        }
        await Task.WhenAll(firstPhase);

        foreach (var name in reverseNames.Order(StringComparer.Ordinal))
        {
            AddDomain(domains, name, DomainOrigin.ReverseDns);
        }
        foreach (var name in certificates.OrderBy(c => c.Port).SelectMany(c => c.DnsNames))
        {
            AddDomain(domains, name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name, DomainOrigin.TlsCertificate);
        }
        var checkedDomains = domains.Take(options.Value.MaxDomains).ToList();
        var files = new ConcurrentBag<FetchedSecurityTxt>();
        await Task.WhenAll(checkedDomains.Select(domain => run.SourceAsync(DiscoverySource.SecurityTxt, domain.Name, async () =>
        {
            var file = await securityTxt.FetchAsync(domain.Name, cancellationToken);
            files.Add(file);
            return file;
        }, cancellationToken)));

        var contacts = new List<ProposedContact>();
        foreach (var file in files.OrderBy(f => f.Domain, StringComparer.Ordinal))
        {
            contacts.AddRange(ContactsFrom(file));
        }
        if (network is not null)
        {
            contacts.AddRange(ContactsFrom(network));
        }
        foreach (var certificate in certificates.OrderBy(c => c.Port).Where(c => c.Email is not null))
        {
            contacts.Add(new ProposedContact(ContactKind.Email, certificate.Email!, null, ContactSource.TlsCertificate, ContactConfidence.Low,
                $"The email address in the subject of the certificate {certificate.Host}:{certificate.Port} presents.",
                new DiscoveryEvidence($"tls://{certificate.Host}:{certificate.Port}", "application/pkix-cert", certificate.Der)));
        }

        return new DiscoveryReport(
            host,
            addresses,
            checkedDomains,
            network is null ? null : Summarise(network, autnum),
            certificates.OrderBy(c => c.Port).ToList(),
            files.OrderBy(f => f.Domain, StringComparer.Ordinal).ToList(),
            contacts.DistinctBy(c => (c.Kind, c.Address.ToLowerInvariant(), c.Source)).ToList(),
            run.Outcomes());
    }

    private ContactConfidence Confidence(FetchedSecurityTxt file, out string reason)
    {
        var document = file.Document;
        if (document.IsExpired)
        {
            reason = $"From {file.Uri}, which expired on {document.Expires:yyyy-MM-dd}.";
            return ContactConfidence.Low;
        }
        var doubts = new List<string>();
        if (file.FromLegacyPath)
        {
            doubts.Add("served at the legacy /security.txt path");
        }
        if (!document.HasSingleExpires)
        {
            doubts.Add("without a single valid Expires");
        }
        if (document.Canonical.Count > 0 && !document.Canonical.Any(c => Uri.TryCreate(c, UriKind.Absolute, out var canonical) && canonical == file.Uri))
        {
            doubts.Add("whose Canonical does not name the address it was fetched from");
        }
        var signed = document.IsSigned ? " (OpenPGP-signed; signature not verified)" : "";
        if (doubts.Count > 0)
        {
            reason = $"From {file.Uri}{signed}, {string.Join(", ", doubts)}.";
            return ContactConfidence.Medium;
        }
        reason = $"From {file.Uri}{signed}, current until {document.Expires:yyyy-MM-dd}.";
        return ContactConfidence.High;
    }

    private IEnumerable<ProposedContact> ContactsFrom(FetchedSecurityTxt file)
    {
        var confidence = Confidence(file, out var reason);
        var evidence = new DiscoveryEvidence(file.Uri.ToString(), "text/plain", file.Content);
        foreach (var contact in file.Document.Contacts)
        {
            if (ParseContact(contact) is { } parsed)
            {
                yield return new ProposedContact(parsed.Kind, parsed.Address, null, ContactSource.SecurityTxt,
                    parsed.Kind == ContactKind.Web && contact.StartsWith("http:", StringComparison.OrdinalIgnoreCase)
                        ? ContactConfidence.Low : confidence,
                    reason, evidence);
            }
        }
    }

    private static IEnumerable<ProposedContact> ContactsFrom(RdapNetwork network)
    {
        foreach (var contact in network.Contacts)
        {
            var evidence = new DiscoveryEvidence(contact.Source.Uri.ToString(), "application/rdap+json", contact.Source.Content);
            var who = contact.Name ?? contact.Handle ?? "an entity";
            yield return contact.Role == RdapRole.Abuse
                ? new ProposedContact(ContactKind.Email, contact.Email, contact.Name, ContactSource.RdapAbuse, ContactConfidence.Medium,
                    $"The abuse contact ({who}) of network {network.Handle ?? network.Name} at {network.Registry}: it reaches the network's operator, who may not be the host's owner.",
                    evidence)
                : new ProposedContact(ContactKind.Email, contact.Email, contact.Name, ContactSource.RdapRegistrant, ContactConfidence.Low,
                    $"The registrant ({who}) of network {network.Handle ?? network.Name} at {network.Registry}: the block's holder, often a provider.",
                    evidence);
        }
    }

    internal static (ContactKind Kind, string Address)? ParseContact(string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri))
        {
            return null;
        }
        if (uri.Scheme == Uri.UriSchemeMailto)
        {
            var address = Uri.UnescapeDataString(uri.GetComponents(UriComponents.UserInfo | UriComponents.Host, UriFormat.UriEscaped));
            return System.Net.Mail.MailAddress.TryCreate(address, out var mail) ? (ContactKind.Email, mail.Address) : null;
        }
        if (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
        {
            return (ContactKind.Web, uri.ToString());
        }
        if (uri.Scheme == "tel")
        {
            return (ContactKind.Phone, value["tel:".Length..]);
        }
        return null;
    }

    private static NetworkSummary Summarise(RdapNetwork network, RdapAutnum? autnum) => new(
        network.Registry,
        network.Handle,
        network.Name,
        network.Cidrs,
        network.StartAddress is null ? null : $"{network.StartAddress} - {network.EndAddress}",
        network.Country,
        network.Organisation,
        autnum?.Number ?? (network.OriginAutnums.Count > 0 ? network.OriginAutnums[0] : null),
        autnum?.Name);

    private async Task<string> ReverseDnsAsync(IPAddress address, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(options.Value.DnsTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var entry = await Dns.GetHostEntryAsync(address.ToString(), linked.Token);
            if (string.IsNullOrEmpty(entry.HostName) || IPAddress.TryParse(entry.HostName, out _))
            {
                throw new FetchException($"{address} has no reverse DNS name.");
            }
            return entry.HostName.TrimEnd('.').ToLowerInvariant();
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new FetchException($"Reverse DNS of {address} did not answer within {options.Value.DnsTimeoutSeconds} s.");
        }
        catch (SocketException e)
        {
            throw new FetchException($"{address} has no reverse DNS name: {e.Message}", null, e);
        }
    }

    /// <returns>Why <paramref name="raw"/> was not added, or null.</returns>
    private static string? AddDomain(List<DiscoveredDomain> domains, string raw, DomainOrigin origin)
    {
        var name = raw.Trim().TrimEnd('.').ToLowerInvariant();
        string ascii;
        try
        {
            ascii = new IdnMapping().GetAscii(name);
        }
        catch (ArgumentException)
        {
            ascii = "";
        }
        if (ascii.Length == 0 || Uri.CheckHostName(ascii) != UriHostNameType.Dns)
        {
            return $"\"{raw}\" is not a domain name.";
        }
        if (!domains.Any(d => d.Name == ascii))
        {
            domains.Add(new DiscoveredDomain(ascii, origin));
        }
        return null;
    }

    /// <summary>One discovery run's progress and outcomes; sources run concurrently, so it locks.</summary>
    private sealed class Run(DiscoveryProgressHandler? progress, CancellationToken runCancellation)
    {
        private readonly List<DiscoverySourceOutcome> _outcomes = [];

        public async Task<T?> SourceAsync<T>(DiscoverySource source, string target, Func<Task<T>> work, CancellationToken cancellationToken)
            where T : class
        {
            await ReportAsync(new DiscoveryProgress(source, target, DiscoveryStep.Started));
            T result;
            try
            {
                result = await work();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                await FailIfAsync(source, target, e switch
                {
                    FetchException or BlockedAddressException or RdapFormatException => e.Message,
                    OperationCanceledException => $"{target}: timed out.",
                    _ => $"{target}: {e.GetType().Name}: {e.Message}",
                });
                return null;
            }
            Record(new DiscoverySourceOutcome(source, target, true, null));
            await ReportAsync(new DiscoveryProgress(source, target, DiscoveryStep.Succeeded));
            return result;
        }

        /// <summary>Records <paramref name="error"/> as the source's failure for the target; nothing when it is null.</summary>
        public async Task FailIfAsync(DiscoverySource source, string target, string? error)
        {
            if (error is null)
            {
                return;
            }
            Record(new DiscoverySourceOutcome(source, target, false, error));
            await ReportAsync(new DiscoveryProgress(source, target, DiscoveryStep.Failed, error));
        }

        private Task ReportAsync(DiscoveryProgress step) => progress?.Invoke(step, runCancellation) ?? Task.CompletedTask;

        public IReadOnlyList<DiscoverySourceOutcome> Outcomes()
        {
            lock (_outcomes)
            {
                return _outcomes.OrderBy(o => o.Source).ThenBy(o => o.Target, StringComparer.Ordinal).ToList();
            }
        }

        private void Record(DiscoverySourceOutcome outcome)
        {
            lock (_outcomes)
            {
                _outcomes.Add(outcome);
            }
        }
    }
}
