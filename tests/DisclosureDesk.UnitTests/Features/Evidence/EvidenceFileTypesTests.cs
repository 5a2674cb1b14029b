using System.Security.Cryptography;
using System.Text;
using DisclosureDesk.Features.Evidence;
using Microsoft.AspNetCore.DataProtection;

namespace DisclosureDesk.UnitTests.Features.Evidence;

public sealed class EvidenceFileTypesTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16];

    [Theory]
    [InlineData("screenshot.png", "image/png")]
    [InlineData("SCREENSHOT.PNG", "image/png")]
    public void Identify_PngByItsSignature_IsAnImage(string name, string expected) =>
        Assert.Equal(expected, EvidenceFileTypes.Identify(name, Png).ContentType);

    [Fact]
    public void Identify_TypesByContent_NotByTheClaimedName()
    {
        Assert.Equal("image/jpeg", EvidenceFileTypes.Identify("photo.jpeg", Jpeg).ContentType);
        Assert.Equal("application/pdf", EvidenceFileTypes.Identify("report.pdf", "%PDF-1.7\n"u8.ToArray()).ContentType);
        Assert.Equal("image/webp", EvidenceFileTypes.Identify("shot.webp", "RIFF\0\0\0\0WEBPVP8 "u8.ToArray()).ContentType);
        Assert.Equal("text/csv", EvidenceFileTypes.Identify("fields.csv", "field,count\nemail,120000\n"u8.ToArray()).ContentType);
        Assert.Equal("application/json", EvidenceFileTypes.Identify("mapping.json", "{\"name\":\"Zoë\"}"u8.ToArray()).ContentType);
    }

    [Theory]
    [InlineData("dashboard.PNG", EvidenceKind.Screenshot)]
    [InlineData("users-fields.csv", EvidenceKind.FieldList)]
    [InlineData("index-mapping.json", EvidenceKind.FieldList)]
    [InlineData("masscan.log", EvidenceKind.ScanOutput)]
    [InlineData("reply.eml", EvidenceKind.Correspondence)]
    [InlineData("report.pdf", EvidenceKind.Other)]
    [InlineData(null, EvidenceKind.Other)]
    public void LikelyKind_ByExtension_SuggestsTheUsualKind(string? name, EvidenceKind expected) =>
        Assert.Equal(expected, EvidenceFileTypes.LikelyKind(name));

    [Fact]
    public void Identify_ImageNamedAsAnotherType_IsRefusedWithTheRename()
    {
        var (type, refusal) = EvidenceFileTypes.Identify("photo.png", Jpeg);

        Assert.Null(type);
        Assert.Contains("image/jpeg", refusal, StringComparison.Ordinal);
        Assert.Contains(".jpg", refusal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("page.html", "<script>alert(1)</script>")]
    [InlineData("logo.svg", "<svg onload=alert(1)/>")]
    [InlineData("dump.zip", "PK\u0003\u0004")]
    [InlineData("tool.exe", "MZ")]
    [InlineData("noextension", "just text")]
    public void Identify_FormatsThatAreNotEvidence_AreRefused(string name, string content)
    {
        var (type, refusal) = EvidenceFileTypes.Identify(name, Encoding.UTF8.GetBytes(content));

        Assert.Null(type);
        Assert.Contains("not accepted", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Identify_TextFileThatIsNotUtf8OrHoldsControlCharacters_IsRefused()
    {
        Assert.Null(EvidenceFileTypes.Identify("latin1.txt", new byte[] { 0x63, 0x61, 0x66, 0xE9 }).ContentType);
        Assert.Null(EvidenceFileTypes.Identify("binary.csv", new byte[] { 0x61, 0x00, 0x62 }).ContentType);
        Assert.Null(EvidenceFileTypes.Identify("escape.log", "\u001b[31mred"u8.ToArray()).ContentType);
    }

    [Theory]
    [InlineData("../../etc/passwd.txt", "passwd.txt")]
    [InlineData("..\\..\\Windows\\win.ini.txt", "win.ini.txt")]
    [InlineData("C:\\Users\\me\\shot.png", "shot.png")]
    [InlineData("..", "evidence")]
    [InlineData("   ", "evidence")]
    [InlineData(null, "evidence")]
    [InlineData("line\r\nbreak.txt", "linebreak.txt")]
    [InlineData("invoice\u202Egnp.exe", "invoicegnp.exe")]
    [InlineData("a<b>c:d|e?f*.txt", "abcdef.txt")]
    public void SafeDisplayName_HostileNames_BecomeAPlainLabel(string? uploaded, string expected) =>
        Assert.Equal(expected, EvidenceFileTypes.SafeDisplayName(uploaded));

    [Fact]
    public void SafeDisplayName_OverlongName_IsCutKeepingTheExtension()
    {
        var name = EvidenceFileTypes.SafeDisplayName(new string('a', 500) + ".png");

        Assert.Equal(EvidenceLimits.FileNameLength, name.Length);
        Assert.EndsWith(".png", name, StringComparison.Ordinal);
    }

    [Fact]
    public void Protect_RoundTrip_RestoresTheBytesAndHidesThem()
    {
        var protector = new EvidenceProtector(new EphemeralDataProtectionProvider());
        var plaintext = Encoding.UTF8.GetBytes("email,phone\nalice@example.com,+31 6 1234 5678\n");

        var ciphertext = protector.Protect(7, plaintext);

        Assert.Equal(plaintext, protector.Unprotect(7, ciphertext));
        Assert.Equal(-1, ciphertext.AsSpan().IndexOf("alice@example.com"u8));
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(8, ciphertext));
        ciphertext[^1] ^= 0xFF;
        Assert.ThrowsAny<CryptographicException>(() => protector.Unprotect(7, ciphertext));
    }
}
