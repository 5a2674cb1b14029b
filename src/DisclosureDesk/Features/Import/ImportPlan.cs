using System.Globalization;
using System.Text;
using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.Features.Import;

/// <summary>
/// How staged findings become cases: which findings share a case under the chosen grouping, and the form each case is
/// filed with. The preview and the job both use it, so the preview's titles are the titles the job files.
/// </summary>
public static class ImportPlan
{
    /// <summary>A case to file. <c>Networks</c>: under "One case per RDAP owner", the networks its owner holds.</summary>
    public sealed record Group(string Key, string Title, IReadOnlyList<ImportRow> Rows, IReadOnlyList<ImportOwnerNetwork>? Networks = null);

    /// <summary>
    /// Groups in file order. A finding without the ASN, organisation or RDAP owner to group by gets a case for its host.
    /// <paramref name="networks"/> are the run's owner networks, by id, for <see cref="ImportGrouping.PerRdapOwner"/>.
    /// </summary>
    public static IReadOnlyList<Group> GroupRows(IEnumerable<ImportRow> rows, ImportGrouping grouping,
        IReadOnlyDictionary<long, ImportOwnerNetwork>? networks = null)
    {
        var owners = networks ?? new Dictionary<long, ImportOwnerNetwork>();
        return rows.OrderBy(r => r.Line)
            .GroupBy(r => Key(r, grouping, owners))
            .Select(g =>
            {
                var list = g.ToList();
                var held = grouping == ImportGrouping.PerRdapOwner && g.Key.StartsWith("owner:", StringComparison.Ordinal)
                    ? list.Select(r => owners[r.OwnerNetworkId!.Value]).DistinctBy(n => n.Id).ToList()
                    : null;
                return new Group(g.Key, Title(list, grouping, held?[0].OwnerName), list, held);
            })
            .ToList();
    }

    private static string Key(ImportRow row, ImportGrouping grouping, IReadOnlyDictionary<long, ImportOwnerNetwork> owners) => grouping switch
    {
        ImportGrouping.PerAsn when row.Asn is { } asn => "asn:" + asn,
        ImportGrouping.PerOrganization when row.Organization is { } org => "org:" + org.ToLowerInvariant(),
        ImportGrouping.PerRdapOwner when row.OwnerWarning is null && row.OwnerNetworkId is { } id
            && owners.TryGetValue(id, out var network) && network.OwnerKey is { } owner => "owner:" + owner,
        ImportGrouping.Campaign or ImportGrouping.Rescan => "campaign",
        _ => "host:" + row.HostKey,
    };

    private static string Title(IReadOnlyList<ImportRow> rows, ImportGrouping grouping, string? rdapOwner)
    {
        var first = rows[0];
        var owner = grouping switch
        {
            ImportGrouping.PerRdapOwner => rdapOwner,
            ImportGrouping.PerAsn when first.Asn is { } asn => first.Organization is { } org ? $"{asn} ({org})" : asn,
            ImportGrouping.PerOrganization when first.Organization is { } org => org,
            _ => null,
        };
        if (grouping == ImportGrouping.Rescan)
        {
            return $"Rescan: {rows.Count} findings on {rows.Select(r => r.HostKey).Distinct().Count()} hosts still exposed; recipients none of whose hosts are among them are marked possibly mitigated";
        }
        if (grouping == ImportGrouping.Campaign)
        {
            var addresses = rows.Select(r => r.ContactEmail?.ToLowerInvariant()).Where(e => e is not null).Distinct().Count();
            var withoutContact = rows.Count(r => r.ContactEmail is null);
            var campaign = $"Campaign: {rows.Count} exposed {first.Service.DisplayName()} services, {addresses} recipient(s)" +
                           (withoutContact > 0 ? $", {withoutContact} finding(s) without a contact" : "");
            return campaign.Length > CaseLimits.TitleLength ? campaign[..CaseLimits.TitleLength] : campaign;
        }
        var title = rows.Count == 1
            ? $"Exposed {first.Service.DisplayName()} at {Endpoint(first)}" + (owner is null ? "" : $", {owner}")
            : owner is null
                ? $"{rows.Count} exposed services at {first.Host}"
                : $"{rows.Count} exposed services at {owner}";
        return title.Length > CaseLimits.TitleLength ? title[..CaseLimits.TitleLength] : title;
    }

    public static string Endpoint(ImportRow row) => row.Host.Contains(':') ? $"[{row.Host}]:{row.Port}" : $"{row.Host}:{row.Port}";

    /// <summary>The case form for a group: its first finding's service and address, every finding in the summary.</summary>
    public static CaseForm Form(Group group, ImportRun run)
    {
        var first = group.Rows[0];
        var seen = group.Rows.Where(r => r.SeenAt is not null).Select(r => r.SeenAt!.Value).ToList();
        var summary = new StringBuilder();
        summary.Append(CultureInfo.InvariantCulture, $"Imported from {run.FileName} (import {run.Id}).");
        var networks = group.Networks ?? [];
        foreach (var network in networks.Take(5))
        {
            summary.Append(CultureInfo.InvariantCulture, $" Owner per RDAP: {network.OwnerName}, {network.Describe()}.");
        }
        if (networks.Count > 5)
        {
            summary.Append(CultureInfo.InvariantCulture, $" And {networks.Count - 5} more networks of the same owner.");
        }
        summary.Append(" Findings:\n\n");
        foreach (var row in group.Rows)
        {
            var line = new StringBuilder();
            line.Append(CultureInfo.InvariantCulture, $"- {Endpoint(row)}");
            if (row.Transport is not null)
            {
                line.Append('/').Append(row.Transport);
            }
            line.Append(CultureInfo.InvariantCulture, $" {row.Service.DisplayName()}");
            if ((row.Name ?? row.Product) is { } what)
            {
                line.Append(CultureInfo.InvariantCulture, $" ({what})");
            }
            if (row.Hostnames.Length > 0)
            {
                line.Append(CultureInfo.InvariantCulture, $", names: {row.Hostnames.Replace('\n', ' ')}");
            }
            line.Append(CultureInfo.InvariantCulture, $", line {row.Line}\n");
            if (summary.Length + line.Length > CaseLimits.SummaryLength - 100)
            {
                summary.Append(CultureInfo.InvariantCulture, $"- … and more; every finding is kept with import {run.Id}.\n");
                break;
            }
            summary.Append(line);
        }
        return new CaseForm
        {
            Title = group.Title,
            Summary = summary.ToString(),
            Severity = group.Rows.Max(r => r.Severity) ?? Severity.Medium,
            Tags = "import",
            Service = first.Service,
            Host = first.Host,
            Port = first.Port,
            Asn = group.Rows.Select(r => r.Asn).FirstOrDefault(a => a is not null),
            HostingProvider = group.Rows.Select(r => r.Organization).FirstOrDefault(o => o is not null),
            OrganizationName = group.Networks?.Select(n => n.Organization).FirstOrDefault(o => o is not null),
            AuthenticationState = ServiceAuthentication.Unknown,
            DiscoveryMethod = $"Import {run.Id}: {run.FileName} (SHA-256 {run.Sha256}), {run.Format.DisplayName()}",
            FirstSeenAt = seen.Count > 0 ? seen.Min() : null,
            LastSeenAt = seen.Count > 0 ? seen.Max() : null,
        };
    }
}
