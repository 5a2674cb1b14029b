using DisclosureDesk.Features.Export;

namespace DisclosureDesk.UnitTests.Features.Export;

/// <summary>The preview is the export's own rules shown against the full case: it must mark exactly what the export drops.</summary>
public sealed class ExportPreviewTests
{
    [Fact]
    public async Task DescribeEvents_GeneratedCases_KeepsExactlyTheExportsEventsWithItsTexts()
    {
        var random = new Random(20261127);
        for (var i = 0; i < 200; i++)
        {
            var (@case, contacts, events, _) = PublicExportRedactionTests.Generate(random, i);
            foreach (var profile in Enum.GetValues<ExportProfile>())
            {
                var document = CaseExportDocument.Create(profile, ExportFixtures.GeneratedAt, "Ada Researcher", @case, ExportFixtures.Team, contacts, [], events);

                var preview = await ExportPreview.DescribeEventsAsync(profile, @case, contacts, events, TestContext.Current.CancellationToken);
                var exportedEvents = await document.Events.ToListAsync(TestContext.Current.CancellationToken);

                Assert.Equal(events.Select(e => e.Sequence), preview.Select(e => e.Sequence));
                Assert.Equal(exportedEvents.Select(e => e.Sequence), preview.Where(e => !e.Hidden).Select(e => e.Sequence));
                foreach (var (shown, exported) in preview.Where(e => !e.Hidden).Zip(exportedEvents))
                {
                    var original = events.Single(e => e.Sequence == shown.Sequence);
                    Assert.Equal(original.Text, string.Concat(shown.Text.Select(s => s.Original)));
                    Assert.Equal(exported.Text, string.Concat(shown.Text.Select(s => s.Output)));
                    Assert.Equal(exported.ActorName, string.Concat(shown.Actor.Select(s => s.Output)));
                    Assert.Equal(original.Changes is not null && exported.Changes is null, shown.RemovedChanges.Count > 0);
                }
                Assert.All(preview.Where(e => e.Hidden), e => Assert.EndsWith($"not in the {profile.Name()} export", e.HiddenReason, StringComparison.Ordinal));
                if (profile == ExportProfile.Full)
                {
                    Assert.All(preview, e => Assert.Equal(0, e.MaskedCount));
                }
            }
        }
    }

    [Fact]
    public async Task DescribeEvents_PublicProfile_MarksEachMaskedSpanRatherThanTheWholeText()
    {
        var (@case, contacts, _, events) = ExportFixtures.Golden();

        var preview = await ExportPreview.DescribeEventsAsync(ExportProfile.Public, @case, contacts, events, TestContext.Current.CancellationToken);

        var filed = preview.Single(e => e.Sequence == 1);
        Assert.Equal(["Case filed: Elasticsearch on ", "203.0.113.10", ":9200."], filed.Text.Select(s => s.Original));
        Assert.Equal("203.0.113.x", filed.Text[1].Replacement);
        var closed = preview.Single(e => e.Sequence == 6);
        Assert.Equal(2, closed.MaskedCount);
        var internalNote = preview.Single(e => e.Sequence == 2);
        Assert.Equal("Internal — not in the public export", internalNote.HiddenReason);
        Assert.Equal("Owner only — not in the public export", preview.Single(e => e.Sequence == 3).HiddenReason);
    }

    [Fact]
    public void DescribeCase_PublicProfile_MarksTheMaskedHostAndEveryRemovedFieldAndList()
    {
        var (@case, contacts, evidence, _) = ExportFixtures.Golden();

        var (fields, removed) = ExportPreview.DescribeCase(ExportProfile.Public, ExportFixtures.GeneratedAt, "Ada Researcher", @case, ExportFixtures.Team, contacts, evidence);

        Assert.Equal(["Port", "Organisation", "Severity", "Tags"], fields.Where(f => f.Removed).Select(f => f.Label));
        var host = Assert.Single(fields.Single(f => f.Label == "Host").Value);
        Assert.Equal(("203.0.113.10", "203.0.113.x"), (host.Original, host.Replacement));
        Assert.Equal(1, fields.Single(f => f.Label == "Title").MaskedCount);
        Assert.Equal(["Team e-mail addresses", "Contacts", "Evidence files"], removed.Select(r => r.What));
        Assert.Equal(["Jan de Vries <jan.devries@clinic.example>"], removed.Single(r => r.What == "Contacts").Values);
    }

    [Theory]
    [InlineData(ExportProfile.Owner, new[] { "Severity", "Tags" }, new[] { "Team e-mail addresses", "Evidence files" })]
    [InlineData(ExportProfile.Full, new string[0], new string[0])]
    public void DescribeCase_OwnerAndFullProfiles_RemoveOnlyWhatTheExportDrops(ExportProfile profile, string[] removedFields, string[] removedLists)
    {
        var (@case, contacts, evidence, _) = ExportFixtures.Golden();

        var (fields, removed) = ExportPreview.DescribeCase(profile, ExportFixtures.GeneratedAt, "Ada Researcher", @case, ExportFixtures.Team, contacts, evidence);

        Assert.Equal(removedFields, fields.Where(f => f.Removed).Select(f => f.Label));
        Assert.Equal(removedLists, removed.Select(r => r.What));
        Assert.All(fields, f => Assert.Equal(0, f.MaskedCount));
    }
}
