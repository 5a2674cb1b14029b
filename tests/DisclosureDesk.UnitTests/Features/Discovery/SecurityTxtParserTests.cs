using System.Text;
using DisclosureDesk.Features.Discovery;
using Microsoft.Extensions.Time.Testing;

namespace DisclosureDesk.UnitTests.Features.Discovery;

public sealed class SecurityTxtParserTests
{
    private static readonly FakeTimeProvider Clock = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    private static byte[] Sample(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Features", "Discovery", "Samples", name));

    private static SecurityTxt Parsed(byte[] content, TimeProvider? time = null)
    {
        var result = SecurityTxtParser.Parse(content, (time ?? Clock).GetUtcNow());
        Assert.True(result.Succeeded, result.Error);
        return result.Document!;
    }

    private static SecurityTxt Parsed(string text) => Parsed(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Parse_GoogleStyle_ReadsFieldsAndIgnoresUnknownOnes()
    {
        var file = Parsed(Sample("google-style.txt"));

        Assert.Equal(["https://g.co/vulnz", "mailto:security@google.com"], file.Contacts);
        Assert.Equal(["https://services.google.com/corporate/publickey.txt"], file.Encryption);
        Assert.Equal(["https://g.co/vrp"], file.Policy);
        Assert.Equal(["https://g.co/SecurityPrivacyEngJobs"], file.Hiring);
        // "Acknowledgements" (British spelling) is not the RFC's field name, so it is an unknown field: ignored.
        Assert.Empty(file.Acknowledgments);
        Assert.Equal(new DateTimeOffset(2027, 6, 30, 23, 59, 0, TimeSpan.Zero), file.Expires);
        Assert.True(file.HasSingleExpires);
        Assert.False(file.IsExpired);
        Assert.False(file.IsSigned);
        Assert.Empty(file.Problems);
    }

    [Fact]
    public void Parse_GitHubStyleWithCrlf_ReadsCanonicalLanguagesAndAcknowledgments()
    {
        var file = Parsed(Sample("github-style.txt"));

        Assert.Equal(["https://hackerone.com/github"], file.Contacts);
        Assert.Equal(["https://github.com/.well-known/security.txt"], file.Canonical);
        Assert.Equal(["https://hackerone.com/github/hacktivity"], file.Acknowledgments);
        Assert.Equal(["en"], file.PreferredLanguages);
        Assert.Equal(new DateTimeOffset(2027, 4, 1, 0, 0, 0, TimeSpan.Zero), file.Expires);
        Assert.Empty(file.Problems);
    }

    [Fact]
    public void Parse_CrlfAndLf_GiveTheSameFields()
    {
        const string text = "Contact: mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\nPolicy: https://example.org/p\n";

        var lf = Parsed(text);
        var crlf = Parsed(text.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Equal(lf.Contacts, crlf.Contacts);
        Assert.Equal(lf.Policy, crlf.Policy);
        Assert.Equal(lf.Expires, crlf.Expires);
    }

    [Fact]
    public void Parse_Signed_ReadsTheSignedPartUndoesDashEscapingAndNotesTheSignature()
    {
        var file = Parsed(Sample("signed.txt"));

        Assert.True(file.IsSigned);
        // The dash-escaped line is a field once unescaped; the Contact after the signature is outside the signed part.
        Assert.Equal(["mailto:security@example.org", "mailto:escaped@example.org"], file.Contacts);
        Assert.Equal(["en", "nl"], file.PreferredLanguages);
        Assert.Equal(["https://example.org/.well-known/csaf/provider-metadata.json"], file.Csaf);
        Assert.Equal(["https://example.org/pgp-key.txt"], file.Encryption);
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 23, 0, 0, TimeSpan.Zero), file.Expires);
        // "- -----" unescapes to "-----", which is not a field: reported, not fatal.
        Assert.Single(file.Problems);
    }

    [Fact]
    public void Parse_Unsigned_IsNotSigned()
    {
        Assert.False(Parsed("Contact: mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\n").IsSigned);
    }

    [Fact]
    public void Parse_SignedMessageWithoutSignatureBlock_IsAnError()
    {
        var text = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\n";

        var result = SecurityTxtParser.Parse(Encoding.UTF8.GetBytes(text), Clock.GetUtcNow());

        Assert.False(result.Succeeded);
        Assert.Contains("signature block", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PastExpires_IsFlaggedExpired()
    {
        var file = Parsed(Sample("expired.txt"));

        Assert.True(file.IsExpired);
        Assert.Contains(file.Problems, p => p.Contains("expired on 2025-01-01", StringComparison.Ordinal));
        Assert.Equal(["mailto:security@expired.example"], file.Contacts);
    }

    [Fact]
    public void Parse_SameFileBeforeItsExpiry_IsNotExpired()
    {
        var before = new FakeTimeProvider(new DateTimeOffset(2024, 12, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.False(Parsed(Sample("expired.txt"), before).IsExpired);
    }

    [Fact]
    public void Parse_ExpiresAtExactlyNow_IsExpired()
    {
        var at = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.True(Parsed(Sample("expired.txt"), at).IsExpired);
    }

    [Fact]
    public void Parse_NoExpires_IsFlagged()
    {
        var file = Parsed("Contact: mailto:a@example.org\n");

        Assert.False(file.HasSingleExpires);
        Assert.Null(file.Expires);
        Assert.False(file.IsExpired);
        Assert.Contains(file.Problems, p => p.StartsWith("No Expires", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TwoExpires_IsFlaggedAndNeitherIsUsed()
    {
        var file = Parsed("Contact: mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\nExpires: 2020-01-01T00:00:00Z\n");

        Assert.False(file.HasSingleExpires);
        Assert.Null(file.Expires);
        Assert.Contains(file.Problems, p => p.Contains("Expires appears 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_UnparsableExpires_IsFlagged()
    {
        var file = Parsed("Contact: mailto:a@example.org\nExpires: next Tuesday\n");

        Assert.False(file.HasSingleExpires);
        Assert.Contains(file.Problems, p => p.Contains("not an RFC 3339 date", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TwoPreferredLanguages_IsFlaggedAndTheFirstIsUsed()
    {
        var file = Parsed("Contact: mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\nPreferred-Languages: en\nPreferred-Languages: de\n");

        Assert.Equal(["en"], file.PreferredLanguages);
        Assert.Contains(file.Problems, p => p.Contains("Preferred-Languages appears 2 times", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_FieldNamesAnyCaseCommentsAndBlankLines_AreHandled()
    {
        var file = Parsed("# comment: not a field\n\n  \ncontact: mailto:a@example.org\nEXPIRES: 2027-01-01T00:00:00Z\n#Contact: mailto:commented@example.org\n");

        Assert.Equal(["mailto:a@example.org"], file.Contacts);
        Assert.True(file.HasSingleExpires);
        Assert.Empty(file.Problems);
    }

    [Fact]
    public void Parse_MalformedLinesAndContacts_AreReportedAndTheRestIsKept()
    {
        var file = Parsed("Contact: mailto:a@example.org\nthis line is not a field\nContact: not a uri\nContact: http://example.org/report\nExpires: 2027-01-01T00:00:00Z\n");

        Assert.Equal(["mailto:a@example.org", "http://example.org/report"], file.Contacts);
        Assert.Contains(file.Problems, p => p.StartsWith("Line 2", StringComparison.Ordinal));
        Assert.Contains(file.Problems, p => p.Contains("\"not a uri\" is not a URI", StringComparison.Ordinal));
        Assert.Contains(file.Problems, p => p.Contains("plain HTTP", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_NoContact_IsFlagged()
    {
        var file = Parsed("Expires: 2027-01-01T00:00:00Z\nPolicy: https://example.org/p\n");

        Assert.Empty(file.Contacts);
        Assert.Contains(file.Problems, p => p.StartsWith("No Contact", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_HtmlPage_IsAnError()
    {
        var result = SecurityTxtParser.Parse("<!doctype html>\n<html><body>Not found</body></html>\n"u8, Clock.GetUtcNow());

        Assert.False(result.Succeeded);
        Assert.Contains("no security.txt fields", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8_IsAClearError()
    {
        byte[] content = [.. "Contact: mailto:a@example.org\nPolicy: https://example.org/"u8, 0xC3, 0x28, .. "\n"u8];

        var result = SecurityTxtParser.Parse(content, Clock.GetUtcNow());

        Assert.False(result.Succeeded);
        Assert.Contains("not valid UTF-8", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OverTheSizeCap_IsAnErrorWithoutParsing()
    {
        var content = Encoding.UTF8.GetBytes("Contact: mailto:a@example.org\n" + new string('#', SecurityTxtParser.DefaultMaxBytes));

        var result = SecurityTxtParser.Parse(content, Clock.GetUtcNow());

        Assert.False(result.Succeeded);
        Assert.Contains("over the 65536-byte limit", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ByteOrderMark_IsSkipped()
    {
        var file = Parsed([0xEF, 0xBB, 0xBF, .. "Contact: mailto:a@example.org\nExpires: 2027-01-01T00:00:00Z\n"u8]);

        Assert.Equal(["mailto:a@example.org"], file.Contacts);
    }
}
