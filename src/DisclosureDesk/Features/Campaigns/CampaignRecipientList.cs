using DisclosureDesk.Components.Shared;
using System.Globalization;
using System.Net.Mail;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Campaigns;

/// <summary>
/// Adds recipients to a campaign in bulk, the same way for a pasted list and for a scan import: entries are grouped by
/// address (a finding without one becomes a "no contact" row for its host), existing rows are found a chunk of keys at
/// a time and only gain the endpoints they lack. Adds to the caller's context, which saves; adding the same entries
/// twice changes nothing.
/// </summary>
public static class CampaignRecipientList
{
    private const int KeyChunk = 500;

    /// <param name="Email">The address as given; null or blank: none known.</param>
    /// <param name="Endpoint">host:port, as <see cref="Endpoint(string, int)"/> writes it.</param>
    public sealed record Entry(string? Email, string? Name, string Host, string Endpoint);

    public sealed record Merged(int Added, int Updated);

    public static string Endpoint(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port.ToString(CultureInfo.InvariantCulture)}" : $"{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The address normalised (trimmed, one mailbox, no display name), or null when it is not one address.</summary>
    public static string? NormalizeAddress(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var trimmed = value.Trim();
        if (trimmed.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[7..];
        }
        return trimmed.Length <= CampaignLimits.EmailLength && MailAddress.TryCreate(trimmed, out var parsed) && parsed.Address == trimmed
            ? parsed.Address
            : null;
    }

    /// <summary>The hosts of a recipient's endpoints (<c>host:port</c> or <c>[v6]:port</c> per line).</summary>
    public static IEnumerable<string> Hosts(string findings) =>
        findings.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(endpoint => endpoint[..Math.Max(0, endpoint.LastIndexOf(':'))].Trim('[', ']'));

    public static string Domain(string email) => email[(email.LastIndexOf('@') + 1)..].ToLowerInvariant();

    public static string KeyOf(string? email, string host) => email is null ? "host:" + host.ToLowerInvariant() : email.ToLowerInvariant();

    public static async Task<Merged> MergeAsync(AppDbContext db, int caseId, IEnumerable<Entry> entries, DateTime now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        var groups = entries
            .Select(e => (Entry: e, Email: NormalizeAddress(e.Email)))
            .GroupBy(e => KeyOf(e.Email, e.Entry.Host), StringComparer.Ordinal)
            .ToList();
        var added = 0;
        var updated = 0;
        foreach (var chunk in groups.Chunk(KeyChunk))
        {
            var keys = chunk.Select(g => g.Key).ToList();
            var existing = await db.CampaignRecipients
                .Where(r => r.CaseId == caseId && keys.Contains(r.Key))
                .ToDictionaryAsync(r => r.Key, StringComparer.Ordinal, cancellationToken);
            foreach (var group in chunk)
            {
                var endpoints = group.Select(e => e.Entry.Endpoint).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
                if (existing.TryGetValue(group.Key, out var recipient))
                {
                    var known = recipient.Findings.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
                    var fresh = endpoints.Where(known.Add).ToList();
                    if (fresh.Count > 0 && Fits(recipient.Findings, fresh))
                    {
                        recipient.Findings = Join([.. recipient.Findings.Split('\n', StringSplitOptions.RemoveEmptyEntries), .. fresh]);
                        recipient.FindingCount += fresh.Count;
                        updated++;
                    }
                    continue;
                }
                var first = group.First();
                var email = first.Email;
                var kept = endpoints.TakeWhile((_, i) => Fits("", endpoints.Take(i + 1))).ToList();
                db.CampaignRecipients.Add(new CampaignRecipient
                {
                    CaseId = caseId,
                    Key = group.Key.Length > CampaignLimits.KeyLength ? group.Key[..CampaignLimits.KeyLength] : group.Key,
                    Email = email,
                    Domain = email is null ? null : Domain(email),
                    Name = group.Select(e => e.Entry.Name).FirstOrDefault(n => !string.IsNullOrWhiteSpace(n)) is { } name
                        ? name.Trim().Length > CaseLimits.NameLength ? name.Trim()[..CaseLimits.NameLength] : name.Trim()
                        : null,
                    Findings = Join(kept),
                    FindingCount = kept.Count,
                    State = email is null ? CampaignRecipientState.NoAddress : CampaignRecipientState.Pending,
                    CreatedAt = now,
                });
                added++;
            }
        }
        return new Merged(added, updated);
    }

    private static string Join(IEnumerable<string> endpoints) => string.Join('\n', endpoints);

    private static bool Fits(string findings, IEnumerable<string> more) =>
        findings.Length + more.Sum(e => e.Length + 1) <= CampaignLimits.FindingsLength;

    /// <summary>
    /// Reads a pasted or uploaded list, one recipient finding per line: <c>address, host, port[, name]</c> (commas,
    /// semicolons or tabs; a header line starting with "email" or "address" is skipped). Returns the entries, or the
    /// line errors when any line is wrong: a list is taken whole or not at all.
    /// </summary>
    public static (List<Entry> Entries, List<string> Errors) Parse(string text)
    {
        var entries = new List<Entry>();
        var errors = new List<string>();
        var lines = (text ?? "").ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var fields = line.Split([',', ';', '\t'], StringSplitOptions.TrimEntries);
            if (i == 0 && (fields[0].Equals("email", StringComparison.OrdinalIgnoreCase) || fields[0].Equals("address", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            var number = i + 1;
            if (fields.Length < 3)
            {
                errors.Add($"Line {number}: expected address, host, port[, name].");
                continue;
            }
            var email = fields[0].Length == 0 ? null : NormalizeAddress(fields[0]);
            if (fields[0].Length > 0 && email is null)
            {
                errors.Add($"Line {number}: '{Wording.Clip(fields[0], 60)}' is not a single email address.");
                continue;
            }
            if (!HostNameAttribute.IsHost(fields[1]))
            {
                errors.Add($"Line {number}: '{Wording.Clip(fields[1], 60)}' is not an IP address or hostname.");
                continue;
            }
            if (!int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                errors.Add($"Line {number}: the port '{Wording.Clip(fields[2], 60)}' is not between 1 and 65535.");
                continue;
            }
            var host = HostNameAttribute.Normalize(fields[1]).ToLowerInvariant();
            entries.Add(new Entry(email, fields.Length > 3 && fields[3].Length > 0 ? fields[3] : null, host, Endpoint(host, port)));
        }
        return (entries, errors);
    }
}
