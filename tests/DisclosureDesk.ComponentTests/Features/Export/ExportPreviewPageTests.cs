using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Timeline;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace DisclosureDesk.ComponentTests.Features.Export;

public sealed class ExportPreviewPageTests : ComponentTestBase
{
    private const string PublicNote = "Owner fixed 192.0.2.15 after Jan de Vries replied.";
    private const string InternalNote = "Internal: the admin panel is at 198.51.100.7.";

    [Fact]
    public async Task Render_PublicProfile_MarksHiddenEventsMaskedSpansAndCountsThem()
    {
        var reference = await CaseWithNotesAsync();
        await using var db = CreateDbContext();
        var events = await db.TimelineEvents.Where(e => db.Cases.Any(c => c.Id == e.CaseId && c.Reference == reference)).ToListAsync(TestContext.Current.CancellationToken);

        var page = RenderPreview(reference, "public");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("ol.timeline > li")));
        var internalNote = page.FindAll("ol.timeline > li").Single(li => li.TextContent.Contains(InternalNote, StringComparison.Ordinal));
        Assert.Contains("preview-hidden", internalNote.ClassList);
        Assert.Equal("Internal — not in the public export", internalNote.QuerySelector(".preview-reason")?.TextContent);
        var publicNote = page.FindAll("ol.timeline > li").Single(li => li.TextContent.Contains("Owner fixed", StringComparison.Ordinal));
        Assert.DoesNotContain("preview-hidden", publicNote.ClassList);
        var spans = publicNote.QuerySelectorAll(".timeline-text .redaction").Select(s => (s.QuerySelector("del")!.TextContent, s.QuerySelector("ins")!.TextContent)).ToList();
        Assert.Equal([("192.0.2.15", "192.0.2.x"), ("Jan de Vries", "[contact]")], spans);
        Assert.Equal("Owner fixed 192.0.2.x after [contact] replied.", string.Concat(publicNote.QuerySelector(".timeline-text")!.ChildNodes
            .Select(n => n is AngleSharp.Dom.IElement { ClassName: "redaction" } e ? e.QuerySelector("ins")!.TextContent : n.TextContent)));

        var counts = page.Find(".preview-counts").TextContent;
        var hidden = events.Count(e => e.Visibility != EventVisibility.Public);
        Assert.Contains($"{hidden} of {events.Count} events hidden", Normalized(counts), StringComparison.Ordinal);
        // The host, the address and the contact's name in the public note.
        Assert.Contains("3 values masked", Normalized(counts), StringComparison.Ordinal);
        Assert.Contains(page.FindAll(".preview-facts dd.preview-removed"), dd => dd.TextContent.Contains("9200", StringComparison.Ordinal));
        Assert.Contains(page.FindAll(".preview-removed-item"), li => li.TextContent.Contains("jan@clinic.example", StringComparison.Ordinal));
        var download = page.FindAll("a[download]").Single(a => a.GetAttribute("aria-label") == "Public export as Markdown");
        Assert.Equal($"cases/{reference}/export?format=md&profile=public", download.GetAttribute("href"));
    }

    [Fact]
    public async Task Render_OwnerProfile_KeepsOwnerEventsUnmasked()
    {
        var reference = await CaseWithNotesAsync();

        var page = RenderPreview(reference, "owner");

        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("ol.timeline > li")));
        var publicNote = page.FindAll("ol.timeline > li").Single(li => li.TextContent.Contains(PublicNote, StringComparison.Ordinal));
        Assert.Empty(publicNote.QuerySelectorAll(".redaction"));
        Assert.Equal("Internal — not in the owner export",
            page.FindAll("ol.timeline > li").Single(li => li.TextContent.Contains(InternalNote, StringComparison.Ordinal)).QuerySelector(".preview-reason")?.TextContent);
    }

    [Fact]
    public async Task ShowNext_TimelineLongerThanAPage_LoadsTheRestInSequence()
    {
        var reference = await CaseWithNotesAsync();
        await using (var db = CreateDbContext())
        {
            var @case = await db.Cases.SingleAsync(c => c.Reference == reference, TestContext.Current.CancellationToken);
            for (var i = 0; i < ExportPreview.PageSize; i++)
            {
                CaseTimeline.Append(db, @case, Researcher.AsCurrentUser().AsActor(), Clock.GetUtcNow().UtcDateTime, TimelineEventType.NoteAdded, $"Bulk note {i}", EventVisibility.Public);
            }
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        int total;
        await using (var db = CreateDbContext())
        {
            total = await db.TimelineEvents.CountAsync(e => db.Cases.Any(c => c.Id == e.CaseId && c.Reference == reference), TestContext.Current.CancellationToken);
        }

        var page = RenderPreview(reference, "public");
        page.WaitForAssertion(() => Assert.Equal(ExportPreview.PageSize, page.FindAll("ol.timeline > li").Count));
        page.FindButton($"Show the next {ExportPreview.PageSize} events").Click();

        page.WaitForAssertion(() => Assert.Equal(total, page.FindAll("ol.timeline > li").Count));
        Assert.Equal(Enumerable.Range(1, total).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            page.FindAll("ol.timeline > li").Select(li => li.GetAttribute("data-sequence")));
        Assert.Empty(page.FindAll("button"));
    }

    [Fact]
    public void Render_UnknownProfile_SaysWhichProfilesExist()
    {
        var page = RenderPreview("DD-2031-00001", "secret");

        Assert.Equal("Unknown profile 'secret'. Profiles: full, owner, public.", page.Find("[role=alert]").TextContent);
    }

    private IRenderedComponent<ExportPreviewPage> RenderPreview(string reference, string profile)
    {
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("profile", profile));
        return Render<ExportPreviewPage>(p => p.Add(x => x.Reference, reference));
    }

    private async Task<string> CaseWithNotesAsync()
    {
        var reference = await FileCaseAsync(new CaseForm { Title = "Open Elasticsearch with appointments", Host = "192.0.2.15", Port = 9200, Service = ServiceEngine.Elasticsearch }, Researcher);
        var added = await Services.GetRequiredService<ManageCaseContacts.Handler>().AddAsync(reference,
            new ManageCaseContacts.ContactForm { Name = "Jan de Vries", Email = "jan@clinic.example" }, Researcher.AsCurrentUser(), TestContext.Current.CancellationToken);
        Assert.True(added.Succeeded, added.Summary);
        foreach (var (text, visibility) in new[] { (PublicNote, EventVisibility.Public), (InternalNote, EventVisibility.Internal) })
        {
            var note = await Services.GetRequiredService<AddCaseNote.Handler>().HandleAsync(reference,
                new AddCaseNote.Command { Text = text, Visibility = visibility }, Researcher.AsCurrentUser(), TestContext.Current.CancellationToken);
            Assert.True(note.Succeeded, note.Summary);
        }
        return reference;
    }

    private static string Normalized(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
