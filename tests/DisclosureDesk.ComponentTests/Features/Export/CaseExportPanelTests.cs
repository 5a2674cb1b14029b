using DisclosureDesk.Features.Export;

namespace DisclosureDesk.ComponentTests.Features.Export;

public sealed class CaseExportPanelTests : ComponentTestBase
{
    [Fact]
    public void Render_Case_LinksEveryProfileAndFormatToTheExportEndpointAsADownload()
    {
        var panel = Render<CaseExportPanel>(p => p.Add(x => x.Reference, "DD-2026-00042"));

        var links = panel.FindAll("a[download]");
        Assert.Equal(18, links.Count);
        var publicMarkdown = Assert.Single(links, a => a.GetAttribute("aria-label") == "Public export as Markdown");
        Assert.Equal("cases/DD-2026-00042/export?format=md&profile=public", publicMarkdown.GetAttribute("href"));
        Assert.Equal("DD-2026-00042-public.md", publicMarkdown.GetAttribute("download"));
        Assert.Contains(links, a => a.GetAttribute("href") == "cases/DD-2026-00042/export?format=json&profile=full");
        Assert.Contains(links, a => a.GetAttribute("href") == "cases/DD-2026-00042/export?format=csv&profile=owner");
        var ownerCalendar = Assert.Single(links, a => a.GetAttribute("aria-label") == "Owner export as iCalendar");
        Assert.Equal("cases/DD-2026-00042/export?format=ics&profile=owner", ownerCalendar.GetAttribute("href"));
        Assert.Equal("DD-2026-00042-owner.ics", ownerCalendar.GetAttribute("download"));
        var publicCsaf = Assert.Single(links, a => a.GetAttribute("aria-label") == "Public export as CSAF");
        Assert.Equal("cases/DD-2026-00042/export?format=csaf&profile=public", publicCsaf.GetAttribute("href"));
        Assert.Equal("DD-2026-00042-public.csaf.json", publicCsaf.GetAttribute("download"));
        Assert.Contains(links, a => a.GetAttribute("href") == "cases/DD-2026-00042/export?format=html&profile=owner");
    }
}
