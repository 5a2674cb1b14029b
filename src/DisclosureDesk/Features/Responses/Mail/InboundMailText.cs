using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using MimeKit;
using MimeKit.Text;

namespace DisclosureDesk.Features.Responses.Mail;

/// <summary>
/// The words of an incoming message as plain text, safe to show and to hash: the text/plain body, or the HTML body
/// reduced to its text. HTML is tokenised, never rendered, so no script runs and no image or stylesheet is fetched.
/// </summary>
public static partial class InboundMailText
{
    public static string PlainBody(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        string text;
        if (message.TextBody is { } plain)
        {
            text = plain;
        }
        else if (message.HtmlBody is { } html)
        {
            text = HtmlToText(html);
        }
        else
        {
            // A report or a bare part with no declared text body: every text part, in order.
            text = string.Join("\n\n", message.BodyParts.OfType<TextPart>().Select(p => p.IsHtml ? HtmlToText(p.Text) : p.Text));
        }
        return Normalise(text);
    }

    public static string HtmlToText(string html)
    {
        var text = new StringBuilder();
        var skip = 0;
        var tokenizer = new HtmlTokenizer(new StringReader(html));
        while (tokenizer.ReadNextToken(out var token))
        {
            switch (token)
            {
                case HtmlTagToken tag when tag.Id is HtmlTagId.Script or HtmlTagId.Style or HtmlTagId.Head or HtmlTagId.Title:
                    if (!tag.IsEmptyElement)
                    {
                        skip = Math.Max(0, skip + (tag.IsEndTag ? -1 : 1));
                    }
                    break;
                case HtmlTagToken tag when tag.Id is HtmlTagId.Br:
                    text.Append('\n');
                    break;
                case HtmlTagToken tag when tag.Id is HtmlTagId.P or HtmlTagId.Div or HtmlTagId.TR or HtmlTagId.LI
                    or HtmlTagId.BlockQuote or HtmlTagId.H1 or HtmlTagId.H2 or HtmlTagId.H3 or HtmlTagId.Table:
                    text.Append('\n');
                    break;
                case HtmlDataToken data when skip == 0:
                    text.Append(WebUtility.HtmlDecode(data.Data));
                    break;
            }
        }
        return text.ToString();
    }

    private static string Normalise(string text)
    {
        text = text.ReplaceLineEndings("\n");
        // Control characters other than tab and newline have no business in an audit record.
        text = ControlCharacters().Replace(text, "");
        text = HorizontalSpace().Replace(text, " ");
        text = BlankLines().Replace(text, "\n\n");
        return text.Trim();
    }

    [GeneratedRegex(@"[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]", RegexOptions.None, 1000)]
    private static partial Regex ControlCharacters();

    [GeneratedRegex(@"[ \t\u00A0]+", RegexOptions.None, 1000)]
    private static partial Regex HorizontalSpace();

    [GeneratedRegex(@"\n( ?\n){2,}", RegexOptions.None, 1000)]
    private static partial Regex BlankLines();
}
