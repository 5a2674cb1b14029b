using System.Globalization;
using DisclosureDesk.Features.Export;

namespace DisclosureDesk.UnitTests.Features.Export;

/// <summary>
/// Property-style: generated texts full of addresses, e-mail addresses, contact names and the case's host, glued
/// together in the ways people paste them; the segments must spell out both the original and exactly what
/// <see cref="Redactor.Mask"/> returns, so the preview marks what the export hides and nothing else.
/// </summary>
public sealed class RedactorSegmentsTests
{
    private static readonly string[] Names = ["Jan de Vries", "Jan", "Maria Kowalski", "Zoë Müller", "email", "host"];
    private static readonly string[] Glue = [" ", "", ", ", "\n", ":", "::", ".", "@", "[", "]", "(", ") ", "/", "-", "x"];

    [Fact]
    public void Segments_GeneratedTexts_ReconstructTheOriginalAndExactlyTheMaskedText()
    {
        var random = new Random(20261126);
        var redactor = new Redactor(Names, "db.clinic.example");
        var masked = 0;
        for (var i = 0; i < 3000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(1, 9)).Select(_ => Pick(random, Glue) + Value(random)));

            var segments = redactor.Segments(text);

            Assert.Equal(text, string.Concat(segments.Select(s => s.Original)));
            Assert.Equal(redactor.Mask(text), string.Concat(segments.Select(s => s.Output)));
            // A kept piece is never followed by another kept piece: each run of kept text is one segment.
            Assert.DoesNotContain(segments.Zip(segments.Skip(1)), pair => !pair.First.IsMasked && !pair.Second.IsMasked);
            Assert.All(segments, s => Assert.True(s.Original.Length > 0 || s.Output.Length > 0));
            masked += segments.Count(s => s.IsMasked);
        }
        // The generator must exercise the masks, not only plain text.
        Assert.True(masked > 5000, $"only {masked} masked segments");
    }

    [Theory]
    [InlineData("Contact 203.0.113.45 now", "Contact |203.0.113.45>203.0.113.x| now")]
    [InlineData("mail jan.devries+sec@clinic.example or Jan de Vries", "mail |jan.devries+sec@clinic.example>[email]| or |Jan de Vries>[contact]|")]
    [InlineData("at [2001:db8:85a3::8a2e:370:7334]:9200", "at [|2001:db8:85a3::8a2e:370:7334>2001:db8:85a3:x:x:x:x:x|]:9200")]
    [InlineData("version 1.2.3 at 09:30:00", "version 1.2.3 at 09:30:00")]
    [InlineData("", "")]
    public void Segments_Text_MarksEachMaskedSpanWithItsReplacement(string text, string expected)
    {
        var segments = new Redactor(["Jan de Vries"]).Segments(text);

        Assert.Equal(expected, string.Concat(segments.Select(s => s.IsMasked ? $"|{s.Original}>{s.Replacement}|" : s.Original)));
    }

    [Fact]
    public void Segments_LaterMaskReachingIntoAnEarlierReplacement_MergesIntoOneSegment()
    {
        // The name pass sees the e-mail placeholder and masks the word "email" inside it.
        var redactor = new Redactor(["email"]);
        const string text = "write to ops@clinic.example";

        var segments = redactor.Segments(text);

        var replaced = Assert.Single(segments, s => s.IsMasked);
        Assert.Equal("ops@clinic.example", replaced.Original);
        Assert.Equal(redactor.Mask(text), "write to " + replaced.Replacement);
    }

    private static string Value(Random random) => random.Next(9) switch
    {
        0 => string.Join('.', Enumerable.Range(0, 4).Select(_ => random.Next(300).ToString(CultureInfo.InvariantCulture))),
        1 => string.Join(':', Enumerable.Range(0, 8).Select(_ => random.Next(0x10000).ToString("x", CultureInfo.InvariantCulture))),
        2 => string.Join(':', Enumerable.Range(0, 3).Select(_ => random.Next(0x10000).ToString("X", CultureInfo.InvariantCulture))) + "::" + random.Next(16).ToString("x", CultureInfo.InvariantCulture),
        3 => $"{Pick(random, Names).Replace(' ', '.').ToLowerInvariant()}@{Pick(random, new[] { "clinic.example", "mail.owner.test" })}",
        4 => Pick(random, Names),
        5 => Pick(random, Names).ToUpperInvariant(),
        6 => "db.clinic.example",
        7 => random.Next(100).ToString(CultureInfo.InvariantCulture),
        _ => Pick(random, new[] { "patients", "fixed", "version 1.2", "09:30:00", "de", "Vries" }),
    };

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];
}
