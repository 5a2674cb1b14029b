using System.Text.RegularExpressions;
using DisclosureDesk.Features.Cases;
using MimeKit;

namespace DisclosureDesk.Features.Responses.Mail;

public enum InboundKind
{
    /// <summary>A person answered: ends the owner's follow-ups.</summary>
    [System.ComponentModel.DataAnnotations.Display(Name = "Reply")] HumanReply = 0,
    /// <summary>Out of office, vacation, ticket robot: recorded, but nobody has read the report yet.</summary>
    [System.ComponentModel.DataAnnotations.Display(Name = "Automatic reply")] AutomaticReply = 1,
    /// <summary>A delivery status notification (bounce or delay).</summary>
    [System.ComponentModel.DataAnnotations.Display(Name = "Delivery failure")] DeliveryFailure = 2,
}

public sealed record BouncedRecipient(string Address, BounceSeverity Severity, string? Status, string? Diagnostic);

/// <summary>What an incoming message is, why the classifier thinks so, and what it points back to.</summary>
public sealed record InboundClassification(
    InboundKind Kind,
    string Reason,
    IReadOnlyList<BouncedRecipient> Bounced,
    IReadOnlyList<string> OriginalMessageIds)
{
    /// <summary>The worst outcome among the bounced recipients (permanent when the report names nobody).</summary>
    public BounceSeverity? Severity => Kind != InboundKind.DeliveryFailure ? null
        : Bounced.Count == 0 ? BounceSeverity.Permanent
        : Bounced.Max(b => b.Severity);
}

/// <summary>
/// Tells a person's reply from an automatic reply and from a delivery status notification. Pure: it reads only the
/// parsed message. Standard forms (RFC 3464 reports, RFC 3834 <c>Auto-Submitted</c>) win; the common non-standard
/// forms of Postfix, Exim, qmail, Exchange and Gmail are recognised by sender, subject and body.
/// </summary>
public static partial class InboundMailClassifier
{
    private static readonly string[] AutoReplySubjectPrefixes =
    [
        "automatic reply", "auto reply", "auto-reply", "autoreply", "auto response", "auto-response", "autoresponse",
        "out of office", "out of the office", "ooo:", "abwesenheit", "automatische antwort", "autosvar", "automatisk svar",
        "réponse automatique", "reponse automatique", "absence", "respuesta automática", "respuesta automatica",
        "risposta automatica", "automatisch antwoord", "afwezig", "vacation", "on vacation",
    ];

    private static readonly string[] BounceSubjectPrefixes =
    [
        "undelivered mail returned to sender", "undeliverable", "undelivered mail", "delivery status notification",
        "mail delivery failed", "failure notice", "returned mail", "delivery failure", "mail delivery failure",
        "delivery has failed", "mail system error", "message not delivered", "non remis", "unzustellbar",
        "nicht zustellbar", "warning: message", "delayed mail", "delivery delayed",
    ];

    private static readonly string[] OriginalMessageMarkers =
    [
        "------ This is a copy of the message", "--- Below this line is a copy of the message", "----- Original message -----",
        "------- Original message -------", "----- The following addresses had", "Original message headers:",
    ];

    public static InboundClassification Classify(MimeMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var replyTo = ReplyReferences(message);
        if (message.Body is MultipartReport { ReportType: var type } report
            && string.Equals(type, "delivery-status", StringComparison.OrdinalIgnoreCase))
        {
            return FromDeliveryStatus(message, report, replyTo);
        }
        if (NonStandardBounce(message) is { } why)
        {
            return FromBounceText(message, why, replyTo);
        }
        if (AutomaticReply(message) is { } auto)
        {
            return new InboundClassification(InboundKind.AutomaticReply, auto, [], replyTo);
        }
        return new InboundClassification(InboundKind.HumanReply, "no sign of an automatic sender", [], replyTo);
    }

    /// <summary>In-Reply-To first, then References newest first: the messages this one answers.</summary>
    public static IReadOnlyList<string> ReplyReferences(MimeMessage message)
    {
        var ids = new List<string>();
        if (!string.IsNullOrWhiteSpace(message.InReplyTo))
        {
            ids.Add(message.InReplyTo);
        }
        ids.AddRange(message.References.Reverse());
        return ids.Distinct(StringComparer.Ordinal).ToList();
    }

    private static string? AutomaticReply(MimeMessage message)
    {
        var headers = message.Headers;
        if (headers["Auto-Submitted"] is { } submitted)
        {
            var value = submitted.Split(';')[0].Trim();
            if (value.Length > 0 && !value.Equals("no", StringComparison.OrdinalIgnoreCase))
            {
                return $"Auto-Submitted: {value}";
            }
        }
        foreach (var name in new[] { "X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-AutoReply-From", "X-Mail-Autoreply" })
        {
            if (headers.Contains(name))
            {
                return $"{name} header";
            }
        }
        if (headers["Precedence"] is { } precedence && precedence.Trim().Equals("auto_reply", StringComparison.OrdinalIgnoreCase))
        {
            return "Precedence: auto_reply";
        }
        var subject = (message.Subject ?? "").Trim();
        var prefix = AutoReplySubjectPrefixes.FirstOrDefault(p => subject.StartsWith(p, StringComparison.OrdinalIgnoreCase));
        if (prefix is not null)
        {
            return headers.Contains("X-Auto-Response-Suppress")
                ? $"Exchange out-of-office (X-Auto-Response-Suppress, subject \"{Shorten(subject)}\")"
                : $"automatic-reply subject \"{Shorten(subject)}\"";
        }
        return null;
    }

    private static string? NonStandardBounce(MimeMessage message)
    {
        if (message.Headers["X-Failed-Recipients"] is not null)
        {
            return "X-Failed-Recipients header (Exim)";
        }
        var sender = message.From.Mailboxes.FirstOrDefault()?.Address ?? message.Sender?.Address ?? "";
        var local = sender.Split('@')[0];
        var subject = (message.Subject ?? "").Trim();
        var bounceSubject = BounceSubjectPrefixes.FirstOrDefault(p => subject.StartsWith(p, StringComparison.OrdinalIgnoreCase));
        if (local.Equals("mailer-daemon", StringComparison.OrdinalIgnoreCase))
        {
            return $"sender {sender}";
        }
        if (bounceSubject is not null)
        {
            return $"bounce subject \"{Shorten(subject)}\"";
        }
        if (local.Equals("postmaster", StringComparison.OrdinalIgnoreCase) && SmtpReply().IsMatch(InboundMailText.PlainBody(message)))
        {
            return $"sender {sender} with an SMTP error in the body";
        }
        return null;
    }

    private static InboundClassification FromDeliveryStatus(MimeMessage message, MultipartReport report, IReadOnlyList<string> replyTo)
    {
        var bounced = new List<BouncedRecipient>();
        foreach (var status in report.OfType<MessageDeliveryStatus>())
        {
            // The first group describes the message, the rest one recipient each.
            foreach (var group in status.StatusGroups.Skip(1))
            {
                var action = group["Action"]?.Trim().ToLowerInvariant();
                if (action is "delivered" or "relayed" or "expanded")
                {
                    continue;
                }
                var code = group["Status"]?.Trim();
                var severity = action == "delayed" || code?.StartsWith('4') == true ? BounceSeverity.Temporary : BounceSeverity.Permanent;
                var address = AddressOf(group["Final-Recipient"]) ?? AddressOf(group["Original-Recipient"]);
                if (address is not null)
                {
                    bounced.Add(new BouncedRecipient(address, severity, code, Clean(group["Diagnostic-Code"])));
                }
            }
        }
        var reason = bounced.Count > 0 && bounced.All(b => b.Severity == BounceSeverity.Temporary)
            ? "RFC 3464 delivery-status report (delayed)"
            : "RFC 3464 delivery-status report";
        return new InboundClassification(InboundKind.DeliveryFailure, reason, Distinct(bounced), OriginalIds(message, replyTo));
    }

    private static InboundClassification FromBounceText(MimeMessage message, string why, IReadOnlyList<string> replyTo)
    {
        var body = InboundMailText.PlainBody(message);
        var report = CutAtOriginal(body);
        var codes = SmtpReply().Matches(report).Select(m => m.Value).ToList();
        var temporary = codes.Count > 0
            ? codes.All(c => c.StartsWith('4'))
            : Regex.IsMatch(report + " " + message.Subject, @"\b(delay(ed)?|will (retry|keep trying)|temporar(y|ily)|not yet been delivered)\b",
                RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        var severity = temporary ? BounceSeverity.Temporary : BounceSeverity.Permanent;
        var diagnostic = codes.Count > 0 ? FirstLineWith(report, codes[0]) : null;
        var status = codes.Select(c => EnhancedStatus().Match(c)).FirstOrDefault(m => m.Success)?.Value;

        var own = message.From.Mailboxes.Select(m => m.Address).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var failed = message.Headers.Where(h => h.Field.Equals("X-Failed-Recipients", StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        if (failed.Count == 0)
        {
            failed = EmailAddress().Matches(report).Select(m => m.Value.Trim('<', '>', '.', ';', ':'))
                .Where(a => !own.Contains(a) && !IsDaemon(a))
                .ToList();
        }
        var bounced = failed.Select(a => new BouncedRecipient(a, severity, status, diagnostic)).ToList();
        return new InboundClassification(InboundKind.DeliveryFailure, why, Distinct(bounced), OriginalIds(message, replyTo));
    }

    /// <summary>
    /// The Message-ID of the message that bounced: from the returned message or its headers, else from the text copy
    /// that Exim and qmail put in the body, then the report's own In-Reply-To/References.
    /// </summary>
    private static List<string> OriginalIds(MimeMessage message, IReadOnlyList<string> replyTo)
    {
        var ids = new List<string>();
        foreach (var part in message.BodyParts)
        {
            if (part is MessagePart { Message: { } original } && !string.IsNullOrEmpty(original.MessageId))
            {
                ids.Add(original.MessageId);
            }
            else if (part is TextPart text
                && (text.ContentType.IsMimeType("text", "rfc822-headers") || text.ContentType.IsMimeType("text", "plain")))
            {
                ids.AddRange(MessageIdHeader().Matches(text.Text ?? "").Select(m => m.Groups["id"].Value));
            }
        }
        ids.AddRange(replyTo);
        return ids.Where(id => id != message.MessageId).Distinct(StringComparer.Ordinal).ToList();
    }

    private static string CutAtOriginal(string body)
    {
        var cut = OriginalMessageMarkers.Select(m => body.IndexOf(m, StringComparison.OrdinalIgnoreCase)).Where(i => i >= 0).DefaultIfEmpty(body.Length).Min();
        var headers = Regex.Match(body, @"^(Return-Path|Received|Message-ID):", RegexOptions.Multiline | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        return body[..(headers.Success ? Math.Min(cut, headers.Index) : cut)];
    }

    private static string? FirstLineWith(string text, string code)
    {
        var line = text.Split('\n').FirstOrDefault(l => l.Contains(code, StringComparison.Ordinal));
        return line is null ? null : Shorten(line.Trim());
    }

    private static bool IsDaemon(string address)
    {
        var local = address.Split('@')[0];
        return local.Equals("mailer-daemon", StringComparison.OrdinalIgnoreCase) || local.Equals("postmaster", StringComparison.OrdinalIgnoreCase);
    }

    private static string? AddressOf(string? field)
    {
        if (string.IsNullOrWhiteSpace(field))
        {
            return null;
        }
        var semicolon = field.IndexOf(';', StringComparison.Ordinal);
        var address = (semicolon >= 0 ? field[(semicolon + 1)..] : field).Trim().Trim('<', '>');
        return address.Contains('@', StringComparison.Ordinal) ? address : null;
    }

    private static string? Clean(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : Shorten(Regex.Replace(value, @"\s+", " ", RegexOptions.None, TimeSpan.FromSeconds(1)).Trim());

    private static string Shorten(string value) => value.Length <= 300 ? value : value[..300] + "…";

    private static List<BouncedRecipient> Distinct(List<BouncedRecipient> bounced) =>
        bounced.GroupBy(b => b.Address, StringComparer.OrdinalIgnoreCase).Select(g => g.MaxBy(b => b.Severity)!).ToList();

    [GeneratedRegex(@"(?<![\d.])[45]\d\d[ -][45]\.\d{1,3}\.\d{1,3}\b|(?<![\d.])[45][0-5]\d(?=[ -])|\b[45]\.\d{1,3}\.\d{1,3}\b", RegexOptions.None, 1000)]
    private static partial Regex SmtpReply();

    [GeneratedRegex(@"[45]\.\d{1,3}\.\d{1,3}", RegexOptions.None, 1000)]
    private static partial Regex EnhancedStatus();

    [GeneratedRegex(@"<?[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}>?", RegexOptions.None, 1000)]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"^Message-ID:\s*<(?<id>[^>\r\n]+)>", RegexOptions.Multiline | RegexOptions.IgnoreCase, 1000)]
    private static partial Regex MessageIdHeader();
}
