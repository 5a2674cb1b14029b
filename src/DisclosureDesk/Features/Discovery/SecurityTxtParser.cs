using System.Globalization;
using System.Text;

namespace DisclosureDesk.Features.Discovery;

/// <summary>
/// A parsed security.txt (RFC 9116). <see cref="Problems"/> lists what does not follow the RFC without making the
/// file unusable (a missing or repeated Expires, an expired file, a bad Contact); the contacts are still offered,
/// with a lower confidence.
/// </summary>
public sealed record SecurityTxt
{
    public required IReadOnlyList<string> Contacts { get; init; }
    public DateTimeOffset? Expires { get; init; }
    public required IReadOnlyList<string> Encryption { get; init; }
    public required IReadOnlyList<string> Acknowledgments { get; init; }
    public required IReadOnlyList<string> Canonical { get; init; }
    public required IReadOnlyList<string> Policy { get; init; }
    public required IReadOnlyList<string> Hiring { get; init; }
    public required IReadOnlyList<string> Csaf { get; init; }
    public required IReadOnlyList<string> PreferredLanguages { get; init; }

    /// <summary>
    /// The file is an OpenPGP cleartext-signed message. The signature is NOT verified (that needs the owner's key,
    /// which discovery has no trustworthy way to get); the fields are those inside the signed part.
    /// </summary>
    public bool IsSigned { get; init; }

    /// <summary>Expires is in the past (at the injected clock's now). A file without Expires is not "expired".</summary>
    public bool IsExpired { get; init; }

    /// <summary>Exactly one Expires field, as RFC 9116 requires.</summary>
    public bool HasSingleExpires { get; init; }

    public required IReadOnlyList<string> Problems { get; init; }
}

/// <summary>Either a parsed file or the reason it could not be read at all.</summary>
public sealed record SecurityTxtParseResult(SecurityTxt? Document, string? Error)
{
    public bool Succeeded => Document is not null;
}

public static class SecurityTxtParser
{
    public const int DefaultMaxBytes = 64 * 1024;

    private const string SignedHeader = "-----BEGIN PGP SIGNED MESSAGE-----";
    private const string SignatureBegin = "-----BEGIN PGP SIGNATURE-----";
    private const string SignatureEnd = "-----END PGP SIGNATURE-----";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SecurityTxtParseResult Parse(ReadOnlySpan<byte> content, DateTimeOffset now, int maxBytes = DefaultMaxBytes)
    {
        if (content.Length > maxBytes)
        {
            return Fail($"The file is {content.Length} bytes, over the {maxBytes}-byte limit.");
        }
        string text;
        try
        {
            text = StrictUtf8.GetString(content);
        }
        catch (DecoderFallbackException e)
        {
            return Fail($"The file is not valid UTF-8 (RFC 9116 requires UTF-8): {e.Message}");
        }
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            return Fail("The file contains NUL characters; it is not a text file.");
        }

        var lines = text.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var problems = new List<string>();
        var signed = false;
        var firstLine = lines.FindIndex(line => line.Trim().Length > 0);
        if (firstLine >= 0 && lines[firstLine].Trim() == SignedHeader)
        {
            var signedBody = SignedBody(lines, firstLine);
            if (signedBody is null)
            {
                return Fail("The file starts an OpenPGP signed message but has no complete signature block.");
            }
            lines = signedBody;
            signed = true;
        }
        return Fields(lines, now, signed, problems);
    }

    /// <summary>The signed text of an OpenPGP cleartext signature (RFC 4880 §7), dash-escaping undone.</summary>
    private static List<string>? SignedBody(List<string> lines, int header)
    {
        var index = header + 1;
        // Armor headers (Hash: SHA256) run up to the first empty line.
        while (index < lines.Count && lines[index].Trim().Length > 0)
        {
            index++;
        }
        index++;
        var body = new List<string>();
        for (; index < lines.Count; index++)
        {
            var line = lines[index];
            if (line.TrimEnd() == SignatureBegin)
            {
                var hasEnd = lines.Skip(index + 1).Any(l => l.TrimEnd() == SignatureEnd);
                return hasEnd ? body : null;
            }
            body.Add(line.StartsWith("- ", StringComparison.Ordinal) ? line[2..] : line);
        }
        return null;
    }

    private static SecurityTxtParseResult Fields(List<string> lines, DateTimeOffset now, bool signed, List<string> problems)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var fieldCount = 0;
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = colon > 0 ? line[..colon] : "";
            if (name.Length == 0 || !name.All(IsFieldNameChar))
            {
                problems.Add($"Line {i + 1} is neither a field nor a comment.");
                continue;
            }
            fieldCount++;
            var value = line[(colon + 1)..].Trim();
            if (!values.TryGetValue(name, out var list))
            {
                values[name] = list = [];
            }
            list.Add(value);
        }
        if (fieldCount == 0)
        {
            return Fail("The file has no security.txt fields (is it a web page?).");
        }

        List<string> All(string name) => values.TryGetValue(name, out var list) ? list : [];

        var contacts = new List<string>();
        foreach (var contact in All("Contact"))
        {
            if (!Uri.TryCreate(contact, UriKind.Absolute, out var uri))
            {
                problems.Add($"Contact \"{contact}\" is not a URI.");
            }
            else if (uri.Scheme == Uri.UriSchemeHttp)
            {
                problems.Add($"Contact {contact} is plain HTTP; RFC 9116 requires HTTPS for web URIs.");
                contacts.Add(contact);
            }
            else
            {
                contacts.Add(contact);
            }
        }
        if (All("Contact").Count == 0)
        {
            problems.Add("No Contact field; RFC 9116 requires at least one.");
        }

        DateTimeOffset? expires = null;
        var expiresValues = All("Expires");
        if (expiresValues.Count == 0)
        {
            problems.Add("No Expires field; RFC 9116 requires exactly one.");
        }
        else if (expiresValues.Count > 1)
        {
            problems.Add($"Expires appears {expiresValues.Count} times; RFC 9116 allows exactly one.");
        }
        if (expiresValues.Count == 1)
        {
            if (DateTimeOffset.TryParse(expiresValues[0], CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                expires = parsed;
            }
            else
            {
                problems.Add($"Expires \"{expiresValues[0]}\" is not an RFC 3339 date.");
            }
        }
        var expired = expires is { } at && at <= now;
        if (expired)
        {
            problems.Add($"The file expired on {expires:yyyy-MM-dd HH:mm} UTC.");
        }
        else if (expires is { } until && until > now.AddYears(1))
        {
            problems.Add("Expires is more than a year away; RFC 9116 recommends less.");
        }

        var languages = All("Preferred-Languages");
        if (languages.Count > 1)
        {
            problems.Add($"Preferred-Languages appears {languages.Count} times; RFC 9116 allows at most one.");
        }

        return new SecurityTxtParseResult(new SecurityTxt
        {
            Contacts = contacts,
            Expires = expires,
            Encryption = All("Encryption"),
            Acknowledgments = All("Acknowledgments"),
            Canonical = All("Canonical"),
            Policy = All("Policy"),
            Hiring = All("Hiring"),
            Csaf = All("CSAF"),
            PreferredLanguages = languages.Count == 0
                ? []
                : languages[0].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            IsSigned = signed,
            IsExpired = expired,
            HasSingleExpires = expiresValues.Count == 1 && expires is not null,
            Problems = problems,
        }, null);
    }

    // RFC 5322 field names: printable ASCII except colon and space.
    private static bool IsFieldNameChar(char c) => c is > ' ' and < (char)127 and not ':';

    private static SecurityTxtParseResult Fail(string error) => new(null, error);
}
