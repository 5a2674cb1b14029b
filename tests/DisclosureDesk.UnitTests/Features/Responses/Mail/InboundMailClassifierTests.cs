using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Responses.Mail;
using MimeKit;

namespace DisclosureDesk.UnitTests.Features.Responses.Mail;

/// <summary>The classifier against real-shaped messages in <c>Corpus/</c>: one file per MTA or client form.</summary>
public sealed class InboundMailClassifierTests
{
    internal static MimeMessage Load(string name) =>
        MimeMessage.Load(Path.Combine(AppContext.BaseDirectory, "Features", "Responses", "Mail", "Corpus", name));

    [Theory]
    [InlineData("postfix-dsn-user-unknown.eml", "security@owner.example", BounceSeverity.Permanent, "5.1.1", "postfix-original.1@researcher.example")]
    [InlineData("exchange-undeliverable.eml", "it-security@owner.example", BounceSeverity.Permanent, "5.1.10", "exchange-original.3@researcher.example")]
    [InlineData("gmail-dsn-failure.eml", "nobody.here@gmail.example", BounceSeverity.Permanent, "5.1.1", "gmail-original.4@researcher.example")]
    [InlineData("postfix-dsn-delayed.eml", "ops@slow.example", BounceSeverity.Temporary, "4.4.1", "delayed-original.5@researcher.example")]
    [InlineData("exim-failed.eml", "abuse@hoster.example", BounceSeverity.Permanent, "5.7.1", "exim-original.2@researcher.example")]
    [InlineData("qmail-failure-notice.eml", "webmaster@oldhost.example", BounceSeverity.Permanent, "5.1.1", "qmail-original.7@researcher.example")]
    public void Classify_Bounce_FindsRecipientSeverityAndOriginal(string file, string recipient, BounceSeverity severity, string status, string originalId)
    {
        var result = InboundMailClassifier.Classify(Load(file));

        Assert.Equal(InboundKind.DeliveryFailure, result.Kind);
        var bounced = Assert.Single(result.Bounced);
        Assert.Equal(recipient, bounced.Address, ignoreCase: true);
        Assert.Equal(severity, bounced.Severity);
        Assert.Equal(status, bounced.Status);
        Assert.Equal(severity, result.Severity);
        Assert.Equal(originalId, result.OriginalMessageIds[0]);
    }

    [Fact]
    public void Classify_StandardReport_KeepsDiagnosticCode()
    {
        var result = InboundMailClassifier.Classify(Load("postfix-dsn-user-unknown.eml"));

        Assert.Contains("User unknown in virtual mailbox table", Assert.Single(result.Bounced).Diagnostic, StringComparison.Ordinal);
        Assert.StartsWith("RFC 3464", result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vacation-rfc3834.eml", "Auto-Submitted: auto-replied")]
    [InlineData("exchange-oof.eml", "X-Auto-Response-Suppress")]
    [InlineData("autosvar-x-autoreply.eml", "X-Autoreply")]
    [InlineData("ticket-precedence-auto-reply.eml", "Precedence: auto_reply")]
    public void Classify_AutomaticReply_IsAutomaticAndThreadsToTheOriginal(string file, string reason)
    {
        var result = InboundMailClassifier.Classify(Load(file));

        Assert.Equal(InboundKind.AutomaticReply, result.Kind);
        Assert.Contains(reason, result.Reason, StringComparison.Ordinal);
        Assert.Empty(result.Bounced);
        Assert.NotEmpty(result.OriginalMessageIds);
    }

    [Theory]
    [InlineData("human-reply-quoted.eml", "postfix-original.1@researcher.example")]
    [InlineData("human-reply-html-only.eml", "html-original.10@researcher.example")]
    public void Classify_PersonsReply_IsHumanReply(string file, string inReplyTo)
    {
        var result = InboundMailClassifier.Classify(Load(file));

        Assert.Equal(InboundKind.HumanReply, result.Kind);
        Assert.Equal(inReplyTo, result.OriginalMessageIds[0]);
        Assert.Null(result.Severity);
    }

    [Fact]
    public void Classify_NonUtf8Reply_IsHumanReplyWithDecodedText()
    {
        var message = Load("human-reply-latin1.eml");

        Assert.Equal(InboundKind.HumanReply, InboundMailClassifier.Classify(message).Kind);
        Assert.Equal("AW: [DD-2026-00011] Datenbank öffentlich", message.Subject);
        Assert.Contains("Vielen Dank für den Hinweis", InboundMailText.PlainBody(message), StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_BrokenMime_DoesNotThrow()
    {
        var result = InboundMailClassifier.Classify(Load("malformed-broken-mime.eml"));

        Assert.Equal(InboundKind.HumanReply, result.Kind);
        Assert.Empty(result.OriginalMessageIds);
    }

    [Fact]
    public void Load_NoHeaders_FailsWithFormatExceptionTheIngestionQuarantines()
    {
        Assert.Throws<FormatException>(() => Load("malformed-no-headers.eml"));
    }

    [Fact]
    public void Classify_ReplyQuotingAnAutoReplySubject_IsHumanReply()
    {
        var message = Load("human-reply-quoted.eml");
        message.Subject = "Re: Automatic reply: [DD-2026-00001] Exposed MongoDB";

        Assert.Equal(InboundKind.HumanReply, InboundMailClassifier.Classify(message).Kind);
    }

    [Fact]
    public void PlainBody_HtmlOnly_DropsScriptsStylesAndImages()
    {
        var text = InboundMailText.PlainBody(Load("human-reply-html-only.eml"));

        Assert.Contains("we & our hoster have fixed it.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("alert", text, StringComparison.Ordinal);
        Assert.DoesNotContain("tracker.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", text, StringComparison.Ordinal);
    }

    [Fact]
    public void PlainBody_QuotedPrintableLatin1Html_IsDecoded()
    {
        var text = InboundMailText.PlainBody(Load("exchange-oof.eml"));

        Assert.Contains("Ich bin bis 20.03. nicht im Büro.", text, StringComparison.Ordinal);
        Assert.DoesNotContain("color:red", text, StringComparison.Ordinal);
    }
}
