using System.Text;
using System.Text.RegularExpressions;

namespace DisclosureDesk.Infrastructure.Telemetry;

/// <summary>
/// Takes secrets out of what is logged and traced: anything shaped like one of the app's bearer secrets (calendar
/// feed tokens in <c>/calendar/{token}.ics</c>, <c>ddpat_</c> API tokens; see <c>SecretTokens</c>) and every query
/// string value (Identity's email confirmation and password reset codes travel there).
/// </summary>
public static partial class SecretRedaction
{
    public const string Placeholder = "[redacted]";

    /// <summary>
    /// The form of <c>SecretTokens.New()</c> (43 base64url characters), optionally with the API token prefix, standing
    /// alone: a longer run of the same characters (a hash, an antiforgery token) is something else.
    /// </summary>
    [GeneratedRegex("(?<![A-Za-z0-9_-])(?:ddpat_)?[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])", RegexOptions.CultureInvariant)]
    private static partial Regex SecretShaped();

    /// <summary><paramref name="text"/> with every secret-shaped run replaced by <see cref="Placeholder"/>.</summary>
    public static string Redact(string text) =>
        text.Length < 43 || !SecretShaped().IsMatch(text) ? text : SecretShaped().Replace(text, Placeholder);

    /// <summary><c>?a=1&amp;b=2</c> as <c>?a=[redacted]&amp;b=[redacted]</c>: the names tell what was asked, the values may be secrets.</summary>
    public static string RedactQuery(string query)
    {
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return query;
        }
        var redacted = new StringBuilder(query.Length);
        var body = query.AsSpan(query[0] == '?' ? 1 : 0);
        if (query[0] == '?')
        {
            redacted.Append('?');
        }
        var first = true;
        foreach (var range in body.Split('&'))
        {
            var pair = body[range];
            if (!first)
            {
                redacted.Append('&');
            }
            first = false;
            var equals = pair.IndexOf('=');
            redacted.Append(equals < 0 ? pair : pair[..equals]).Append('=').Append(Placeholder);
        }
        return redacted.ToString();
    }
}
