using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Discovery;

/// <summary>An RDAP response as fetched: the evidence behind whatever was read from it.</summary>
public sealed record RdapDocument(Uri Uri, byte[] Content);

/// <summary>An email address of an RDAP entity, with the role it was found under.</summary>
public sealed record RdapContact(string Email, string? Name, string? Handle, RdapRole Role, RdapDocument Source);

public enum RdapRole
{
    Abuse,
    Registrant,
}

/// <summary>What RDAP says about the network an address is in.</summary>
public sealed record RdapNetwork
{
    public string? Handle { get; init; }
    public string? Name { get; init; }
    public string? StartAddress { get; init; }
    public string? EndAddress { get; init; }
    public IReadOnlyList<string> Cidrs { get; init; } = [];
    public string? Country { get; init; }
    /// <summary>The registrant entity's name: usually the provider or organisation holding the block.</summary>
    public string? Organisation { get; init; }
    /// <summary>The host name of the RDAP server that answered (rdap.db.ripe.net, rdap.arin.net, ...).</summary>
    public required string Registry { get; init; }
    /// <summary>Origin AS numbers where the registry publishes them (ARIN's <c>arin_originas0</c> extension).</summary>
    public IReadOnlyList<long> OriginAutnums { get; init; } = [];
    public IReadOnlyList<RdapContact> Contacts { get; init; } = [];
    public IReadOnlyList<RdapDocument> Documents { get; init; } = [];
    /// <summary>Entity or related-object fetches that failed; the network's own answer still stands.</summary>
    public IReadOnlyList<string> ReferralErrors { get; init; } = [];
}

public sealed record RdapAutnum(long Number, string? Handle, string? Name, RdapDocument Source);

/// <summary>An RDAP response that is not JSON, or not the object the query asks for.</summary>
public sealed class RdapFormatException(string message) : Exception(message);

/// <summary>
/// RDAP lookups (RFC 7480-7484, RFC 9083): the bootstrap names the server, redirects between registries are followed
/// by <see cref="DiscoveryHttp"/>, and entities named without contact details, or a network that points to a
/// <c>related</c> RDAP object, are fetched up to <see cref="DiscoveryOptions.RdapMaxReferrals"/> more times.
/// </summary>
public sealed class RdapLookup(DiscoveryHttp http, RdapBootstrap bootstrap, IOptions<DiscoveryOptions> options)
{
    private const string RdapMediaType = "application/rdap+json";

    public async Task<RdapNetwork> LookupAddressAsync(IPAddress address, CancellationToken cancellationToken)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        var baseUrl = bootstrap.BaseUrlFor(address) ?? new Uri(options.Value.RdapFallbackBaseUrl);
        var document = await FetchAsync(new Uri(baseUrl, $"ip/{address}"), cancellationToken);
        var network = RdapParser.ParseNetwork(document);
        var referrals = options.Value.RdapMaxReferrals;
        var contacts = network.Contacts.ToList();
        var documents = new List<RdapDocument> { document };
        var referralErrors = new List<string>();

        // Only the abuse contact is worth another request: a registrant without an email still names the organisation.
        var abuseReferences = network.EntitiesWithoutEmail.Where(e => e.Role == RdapRole.Abuse).Select(e => e.Self);
        var related = network.Related is { } link ? new[] { link } : [];
        foreach (var (uri, isEntity) in abuseReferences.Select(u => (u, true)).Concat(related.Select(u => (u, false))))
        {
            if (referrals == 0 || contacts.Any(c => c.Role == RdapRole.Abuse))
            {
                break;
            }
            referrals--;
            try
            {
                var referred = await FetchAsync(uri, cancellationToken);
                documents.Add(referred);
                contacts.AddRange(isEntity
                    ? RdapParser.ParseEntity(referred, RdapRole.Abuse)
                    : RdapParser.ParseNetwork(referred).Contacts);
            }
            catch (Exception e) when (e is FetchException or RdapFormatException)
            {
                // The network itself was read; a referral that fails only leaves its contact out, and says why.
                referralErrors.Add(e.Message);
            }
        }
        return network.Result with
        {
            Contacts = contacts.DistinctBy(c => (c.Email.ToLowerInvariant(), c.Role)).ToList(),
            Documents = documents,
            ReferralErrors = referralErrors,
        };
    }

    public async Task<RdapAutnum> LookupAutnumAsync(long autnum, CancellationToken cancellationToken)
    {
        var baseUrl = bootstrap.BaseUrlFor(autnum) ?? new Uri(options.Value.RdapFallbackBaseUrl);
        var document = await FetchAsync(new Uri(baseUrl, $"autnum/{autnum.ToString(CultureInfo.InvariantCulture)}"), cancellationToken);
        return RdapParser.ParseAutnum(document, autnum);
    }

    private async Task<RdapDocument> FetchAsync(Uri uri, CancellationToken cancellationToken)
    {
        var fetched = await http.GetAsync(uri, new FetchRules(options.Value.RdapMaxBytes, HttpsOnly: false, RdapMediaType), cancellationToken);
        return new RdapDocument(fetched.FinalUri, fetched.Content);
    }
}

/// <summary>Reads RDAP JSON strictly enough that a response of the wrong shape is a clear error, not a guess.</summary>
internal static class RdapParser
{
    internal sealed record ParsedNetwork(RdapNetwork Result, IReadOnlyList<RdapContact> Contacts,
        IReadOnlyList<(Uri Self, RdapRole Role)> EntitiesWithoutEmail, Uri? Related);

    private sealed record Entity(string? Handle, IReadOnlyList<string> Roles, string? Name, IReadOnlyList<string> Emails, Uri? Self);

    public static ParsedNetwork ParseNetwork(RdapDocument document)
    {
        using var json = Open(document);
        var root = json.RootElement;
        ExpectClass(root, "ip network", document.Uri);
        var entities = new List<Entity>();
        CollectEntities(root, document.Uri, entities, depth: 0);

        var contacts = new List<RdapContact>();
        var withoutEmail = new List<(Uri, RdapRole)>();
        foreach (var entity in entities)
        {
            foreach (var role in RolesOf(entity))
            {
                contacts.AddRange(entity.Emails.Select(email => new RdapContact(email, entity.Name, entity.Handle, role, document)));
                if (entity.Emails.Count == 0 && entity.Self is { } self)
                {
                    withoutEmail.Add((self, role));
                }
            }
        }
        var related = Links(root, document.Uri)
            .FirstOrDefault(l => l.Rel == "related" && (l.Type is null || l.Type.Contains("rdap+json", StringComparison.OrdinalIgnoreCase)))
            .Href;
        var result = new RdapNetwork
        {
            Handle = OptionalString(root, "handle", document.Uri),
            Name = OptionalString(root, "name", document.Uri),
            StartAddress = OptionalString(root, "startAddress", document.Uri),
            EndAddress = OptionalString(root, "endAddress", document.Uri),
            Country = OptionalString(root, "country", document.Uri),
            Cidrs = Cidrs(root, document.Uri),
            Organisation = entities.FirstOrDefault(e => e.Roles.Contains("registrant") && e.Name is not null)?.Name,
            Registry = document.Uri.Host,
            OriginAutnums = OriginAutnums(root, document.Uri),
        };
        return new ParsedNetwork(result, contacts, withoutEmail.DistinctBy(e => e.Item1).ToList(), related);
    }

    public static IEnumerable<RdapContact> ParseEntity(RdapDocument document, RdapRole role)
    {
        using var json = Open(document);
        ExpectClass(json.RootElement, "entity", document.Uri);
        var entity = ReadEntity(json.RootElement, document.Uri);
        return entity.Emails.Select(email => new RdapContact(email, entity.Name, entity.Handle, role, document)).ToList();
    }

    public static RdapAutnum ParseAutnum(RdapDocument document, long number)
    {
        using var json = Open(document);
        ExpectClass(json.RootElement, "autnum", document.Uri);
        return new RdapAutnum(number, OptionalString(json.RootElement, "handle", document.Uri),
            OptionalString(json.RootElement, "name", document.Uri), document);
    }

    private static JsonDocument Open(RdapDocument document)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(document.Content, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new RdapFormatException($"{document.Uri} is not JSON: {e.Message}");
        }
        if (json.RootElement.ValueKind != JsonValueKind.Object)
        {
            json.Dispose();
            throw new RdapFormatException($"{document.Uri} is JSON but not an RDAP object.");
        }
        if (json.RootElement.TryGetProperty("errorCode", out var code))
        {
            var title = json.RootElement.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var message = $"{document.Uri} is an RDAP error {code.GetRawText()}: {title ?? "no title"}.";
            json.Dispose();
            throw new RdapFormatException(message);
        }
        return json;
    }

    private static void ExpectClass(JsonElement root, string objectClass, Uri uri)
    {
        var actual = OptionalString(root, "objectClassName", uri);
        if (!string.Equals(actual, objectClass, StringComparison.OrdinalIgnoreCase))
        {
            throw new RdapFormatException(actual is null
                ? $"{uri} has no objectClassName; expected an RDAP \"{objectClass}\" object."
                : $"{uri} is an RDAP \"{actual}\" object; expected \"{objectClass}\".");
        }
    }

    private static IEnumerable<RdapRole> RolesOf(Entity entity)
    {
        if (entity.Roles.Contains("abuse"))
        {
            yield return RdapRole.Abuse;
        }
        if (entity.Roles.Contains("registrant"))
        {
            yield return RdapRole.Registrant;
        }
    }

    private static void CollectEntities(JsonElement parent, Uri uri, List<Entity> into, int depth)
    {
        if (!parent.TryGetProperty("entities", out var entities))
        {
            return;
        }
        if (entities.ValueKind != JsonValueKind.Array)
        {
            throw new RdapFormatException($"{uri}: \"entities\" is not an array.");
        }
        foreach (var element in entities.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new RdapFormatException($"{uri}: an entity is not an object.");
            }
            into.Add(ReadEntity(element, uri));
            // ARIN nests the abuse and technical contacts inside the registrant organisation's entity.
            if (depth < 4)
            {
                CollectEntities(element, uri, into, depth + 1);
            }
        }
    }

    private static Entity ReadEntity(JsonElement element, Uri uri)
    {
        var roles = new List<string>();
        if (element.TryGetProperty("roles", out var rolesElement))
        {
            if (rolesElement.ValueKind != JsonValueKind.Array)
            {
                throw new RdapFormatException($"{uri}: an entity's \"roles\" is not an array.");
            }
            roles.AddRange(rolesElement.EnumerateArray()
                .Where(r => r.ValueKind == JsonValueKind.String)
                .Select(r => r.GetString()!.ToLowerInvariant()));
        }
        var (name, emails) = ReadVcard(element, uri);
        var self = Links(element, uri).FirstOrDefault(l => l.Rel == "self").Href;
        return new Entity(OptionalString(element, "handle", uri), roles, name, emails, self);
    }

    /// <summary>jCard (RFC 7095): ["vcard", [[name, params, type, value], ...]].</summary>
    private static (string? Name, IReadOnlyList<string> Emails) ReadVcard(JsonElement entity, Uri uri)
    {
        if (!entity.TryGetProperty("vcardArray", out var vcard))
        {
            return (null, []);
        }
        if (vcard.ValueKind != JsonValueKind.Array || vcard.GetArrayLength() != 2
            || vcard[0].ValueKind != JsonValueKind.String || vcard[0].GetString() != "vcard"
            || vcard[1].ValueKind != JsonValueKind.Array)
        {
            throw new RdapFormatException($"{uri}: a \"vcardArray\" is not a jCard ([\"vcard\", [...]]).");
        }
        string? name = null;
        var emails = new List<string>();
        foreach (var property in vcard[1].EnumerateArray())
        {
            if (property.ValueKind != JsonValueKind.Array || property.GetArrayLength() < 4 || property[0].ValueKind != JsonValueKind.String)
            {
                throw new RdapFormatException($"{uri}: a jCard property is not [name, parameters, type, value].");
            }
            var value = property[3].ValueKind == JsonValueKind.String ? property[3].GetString()!.Trim() : null;
            switch (property[0].GetString()!.ToLowerInvariant())
            {
                case "fn" when !string.IsNullOrEmpty(value):
                    name = value;
                    break;
                case "email" when value is not null && MailAddress.TryCreate(value, out var address) && address.Address == value:
                    emails.Add(value);
                    break;
            }
        }
        return (name, emails);
    }

    private static IEnumerable<(string? Rel, string? Type, Uri? Href)> Links(JsonElement element, Uri uri)
    {
        if (!element.TryGetProperty("links", out var links))
        {
            yield break;
        }
        if (links.ValueKind != JsonValueKind.Array)
        {
            throw new RdapFormatException($"{uri}: \"links\" is not an array.");
        }
        foreach (var link in links.EnumerateArray())
        {
            if (link.ValueKind != JsonValueKind.Object)
            {
                throw new RdapFormatException($"{uri}: a link is not an object.");
            }
            var href = OptionalString(link, "href", uri);
            yield return (OptionalString(link, "rel", uri), OptionalString(link, "type", uri),
                href is not null && Uri.TryCreate(href, UriKind.Absolute, out var target)
                    && (target.Scheme == Uri.UriSchemeHttps || target.Scheme == Uri.UriSchemeHttp) ? target : null);
        }
    }

    private static List<string> Cidrs(JsonElement root, Uri uri)
    {
        var cidrs = new List<string>();
        if (!root.TryGetProperty("cidr0_cidrs", out var list))
        {
            return cidrs;
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new RdapFormatException($"{uri}: \"cidr0_cidrs\" is not an array.");
        }
        foreach (var cidr in list.EnumerateArray())
        {
            var prefix = OptionalString(cidr, "v4prefix", uri) ?? OptionalString(cidr, "v6prefix", uri);
            if (prefix is not null && cidr.TryGetProperty("length", out var length) && length.TryGetInt32(out var bits))
            {
                cidrs.Add($"{prefix}/{bits}");
            }
        }
        return cidrs;
    }

    private static List<long> OriginAutnums(JsonElement root, Uri uri)
    {
        if (!root.TryGetProperty("arin_originas0_originautnums", out var list))
        {
            return [];
        }
        if (list.ValueKind != JsonValueKind.Array)
        {
            throw new RdapFormatException($"{uri}: \"arin_originas0_originautnums\" is not an array.");
        }
        return list.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.Number && n.TryGetInt64(out _))
            .Select(n => n.GetInt64()).ToList();
    }

    private static string? OptionalString(JsonElement element, string property, Uri uri)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new RdapFormatException($"{uri}: \"{property}\" is a {value.ValueKind}, not a string.");
        }
        return value.GetString();
    }
}
