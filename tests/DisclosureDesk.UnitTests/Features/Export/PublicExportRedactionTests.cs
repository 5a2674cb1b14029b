using System.Globalization;
using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.UnitTests.Features.Export;

/// <summary>
/// Property-style: many generated cases stuffed with addresses, e-mail addresses and contact names in every
/// free-text field; no public export, in any format, may contain one of them or any internal or owner-only note.
/// </summary>
public sealed class PublicExportRedactionTests
{
    private static readonly string[] FirstNames = ["Jan", "Maria", "Sven", "Ayşe", "Kwame", "Olga", "Pieter", "Zoë"];
    private static readonly string[] LastNames = ["de Vries", "Kowalski", "Okonkwo", "Van der Berg", "Nakamura", "O'Brien", "Müller"];
    private static readonly string[] Separators = [" ", ", ", " (", ") ", "\n", "; ", " [", "] ", ": ", "/"];

    [Fact]
    public async Task Render_PublicProfileOfGeneratedCases_LeaksNoAddressEmailNameOrNonPublicNote()
    {
        var random = new Random(20260314);
        for (var i = 0; i < 300; i++)
        {
            var (@case, contacts, events, secrets) = Generate(random, i);
            var document = CaseExportDocument.Create(ExportProfile.Public, ExportFixtures.GeneratedAt, "Ada Researcher", @case, ExportFixtures.Team, contacts, [], events);
            // A follow-up addressed to a contact and naming them: the public calendar must leave it out.
            var followUp = new OutboxMessage
            {
                Id = i + 1, Purpose = OutboxPurpose.OwnerFollowUp, State = OutboxState.Scheduled, DueAt = @case.CreatedAt.AddDays(8),
                To = contacts[0].Email!, Subject = $"[{@case.Reference}] {contacts[0].Name}, please reply",
            };
            document = document with { Calendar = CaseCalendar.For(@case, document.Case.Title, [followUp], ExportProfile.Public, TimeZoneInfo.Utc) };
            foreach (var format in Enum.GetValues<ExportFormat>())
            {
                var output = Encoding.UTF8.GetString(await CaseExport.RenderAsync(document, format, cancellationToken: TestContext.Current.CancellationToken));
                // JSON and HTML may escape characters, iCalendar escapes and folds lines; compare against the decoded text too.
                var decoded = format switch
                {
                    ExportFormat.Json or ExportFormat.Csaf => System.Text.Json.JsonDocument.Parse(output).RootElement.ToString(),
                    ExportFormat.Html => System.Net.WebUtility.HtmlDecode(output),
                    ExportFormat.Ics => output.Replace("\r\n ", "", StringComparison.Ordinal).Replace("\\,", ",", StringComparison.Ordinal)
                        .Replace("\\;", ";", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal),
                    _ => output,
                };
                foreach (var secret in secrets)
                {
                    Assert.False(output.Contains(secret, StringComparison.OrdinalIgnoreCase) || decoded.Contains(secret, StringComparison.OrdinalIgnoreCase),
                        $"case {i}, {format}: '{secret}' leaked in:\n{output}");
                }
            }
        }
    }

    [Theory]
    [InlineData("at 203.0.113.10.", "at 203.0.113.x.")]
    [InlineData("host 10.0.0.255:27017", "host 10.0.0.x:27017")]
    [InlineData("[2001:db8:85a3::8a2e:370:7334]:9200", "[2001:db8:85a3:x:x:x:x:x]:9200")]
    [InlineData("2001:DB8::1 answered", "2001:db8:0:x:x:x:x:x answered")]
    [InlineData("gone: 2001:db8::1: no reply", "gone: 2001:db8:0:x:x:x:x:x: no reply")]
    [InlineData("at 2001:db8:1:2:3:4:5:6:9200 and ip2001:db8::7", "at 2001:db8:1:x:x:x:x:x:9200 and ip2001:db8:0:x:x:x:x:x")]
    [InlineData("mail jan.devries+sec@clinic.example now", "mail [email] now")]
    [InlineData("JAN DE VRIES replied", "[contact] replied")]
    [InlineData("version 1.2.3 at 09:30:00, 300.1.1.1", "version 1.2.3 at 09:30:00, 300.1.1.1")]
    public void Mask_Text_MasksAddressesEmailsAndContactNames(string text, string expected) =>
        Assert.Equal(expected, new Redactor(["Jan de Vries"]).Mask(text));

    /// <summary>A case whose texts are full of what the public profile masks, with notes of every visibility; also used by the preview tests.</summary>
    internal static (Case Case, List<CaseContact> Contacts, List<TimelineEvent> Events, List<string> Secrets) Generate(Random random, int index)
    {
        var secrets = new List<string>();
        var contacts = Enumerable.Range(1, random.Next(1, 4)).Select(id =>
        {
            var name = $"{Pick(random, FirstNames)} {Pick(random, LastNames)}";
            secrets.Add(name);
            return new CaseContact { Id = id, Name = name, Email = Email(random, name, secrets) };
        }).ToList();

        string Value() => random.Next(4) switch
        {
            0 => Remember(IPv4(random), secrets),
            1 => Remember(IPv6(random), secrets),
            2 => Email(random, Pick(random, contacts).Name, secrets),
            _ => Pick(random, contacts).Name,
        };
        string Text(string prefix) => prefix + string.Concat(Enumerable.Range(0, random.Next(1, 5)).Select(_ => Pick(random, Separators) + Value())) + Pick(random, Separators) + "end";

        var host = Remember(random.Next(2) == 0 ? IPv4(random) : IPv6(random), secrets);
        var @case = new Case
        {
            Id = index + 1,
            Reference = $"DD-2026-{index + 1:D5}",
            Title = Text("Exposed "),
            Summary = Text("Found "),
            Host = host,
            CreatedAt = ExportFixtures.GeneratedAt.AddDays(-30),
            ClosedAt = random.Next(2) == 0 ? ExportFixtures.GeneratedAt.AddDays(-1) : null,
            FirstNotifiedAt = ExportFixtures.GeneratedAt.AddDays(-29),
            DisclosurePolicyId = "cert-cc",
            DisclosurePolicy = "CERT/CC (45 days)",
        };
        var events = new List<TimelineEvent>();
        for (var e = 0; e < random.Next(3, 12); e++)
        {
            var visibility = (EventVisibility)random.Next(3);
            var text = Text(visibility == EventVisibility.Public ? "Public step " : "Note ");
            if (visibility != EventVisibility.Public)
            {
                var marker = $"{visibility}-only-{index}-{e}-{random.Next():x}";
                secrets.Add(marker);
                text += " " + marker;
            }
            var changes = random.Next(3) == 0 ? $$"""[{"field":"Host","old":"{{IPv4(random)}}","new":"{{Email(random, "x y", secrets)}}"}]""" : null;
            ExportFixtures.Append(@case, events, @case.CreatedAt.AddHours(e), TimelineEventType.NoteAdded, visibility, text, changes);
        }
        return (@case, contacts, events, secrets);
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    private static string Remember(string value, List<string> secrets)
    {
        secrets.Add(value);
        return value;
    }

    private static string IPv4(Random random) =>
        string.Join('.', Enumerable.Range(0, 4).Select(_ => random.Next(256).ToString(CultureInfo.InvariantCulture)));

    private static string IPv6(Random random)
    {
        var hextets = Enumerable.Range(0, 8).Select(_ => random.Next(0x10000).ToString(random.Next(2) == 0 ? "x" : "X4", CultureInfo.InvariantCulture)).ToArray();
        // Half compressed, the way people paste them.
        return random.Next(2) == 0
            ? string.Join(':', hextets)
            : string.Join(':', hextets[..3]) + "::" + hextets[7];
    }

    private static string Email(Random random, string name, List<string> secrets)
    {
        var local = new string(name.ToLowerInvariant().Where(char.IsAsciiLetter).ToArray()) + (random.Next(2) == 0 ? "+sec" : ".x");
        return Remember($"{local}@{Pick(random, new[] { "clinic.example", "mail.owner.test", "gemeente-nl.example" })}", secrets);
    }
}
