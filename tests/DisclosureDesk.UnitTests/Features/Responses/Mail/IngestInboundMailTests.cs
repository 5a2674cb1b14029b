using DisclosureDesk.Features.Responses.Mail;

namespace DisclosureDesk.UnitTests.Features.Responses.Mail;

public sealed class IngestInboundMailTests
{
    [Theory]
    [InlineData("Re: [DD-2026-00001] Exposed MongoDB", new[] { "DD-2026-00001" })]
    [InlineData("AW: dd-2026-00042 und DD-2026-00001", new[] { "DD-2026-00042", "DD-2026-00001" })]
    [InlineData("Re: XDD-2026-00001 or DD-2026-000011 or DD-26-00001", new string[0])]
    [InlineData("No reference at all", new string[0])]
    public void CaseReferences_Subject_FindsWholeReferencesInOrder(string subject, string[] expected)
    {
        Assert.Equal(expected, IngestInboundMail.CaseReferences(subject, "DD"));
    }

    [Fact]
    public void DedupKey_SameMessageIdDifferentBytes_IsTheSameKey_WithoutMessageId_IsTheHash()
    {
        var sha = new string('a', 64);

        Assert.Equal(IngestInboundMail.DedupKey("abc@example.org", sha), IngestInboundMail.DedupKey(" abc@example.org ", new string('b', 64)));
        Assert.NotEqual(IngestInboundMail.DedupKey("abc@example.org", sha), IngestInboundMail.DedupKey("abd@example.org", sha));
        Assert.Equal(sha, IngestInboundMail.DedupKey(null, sha));
        Assert.Equal(64, IngestInboundMail.DedupKey(new string('x', 5_000), sha).Length);
    }
}
