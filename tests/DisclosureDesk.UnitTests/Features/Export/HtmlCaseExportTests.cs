using System.Text;
using DisclosureDesk.Features.Export;

namespace DisclosureDesk.UnitTests.Features.Export;

public sealed class HtmlCaseExportTests
{
    [Fact]
    public async Task Render_HostileTitleAndEventText_IsEncodedNotMarkup()
    {
        var (@case, contacts, evidence, events) = ExportFixtures.Golden();
        @case.Title = "<script>alert(1)</script> & \"quoted\" 'single'";
        ExportFixtures.Append(@case, events, @case.CreatedAt.AddDays(21), DisclosureDesk.Features.Timeline.TimelineEventType.NoteAdded,
            DisclosureDesk.Features.Timeline.EventVisibility.Public, "<img src=x onerror=alert(2)></td></tr></table>");
        var document = DisclosureDesk.Features.Export.CaseExportDocument.Create(ExportProfile.Full, ExportFixtures.GeneratedAt, "Ada", @case, ExportFixtures.Team, contacts, evidence, events);

        var html = Encoding.UTF8.GetString(await CaseExport.RenderAsync(document, ExportFormat.Html, cancellationToken: TestContext.Current.CancellationToken));

        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot; &#x27;single&#x27;</h1>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(2)&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;", html, StringComparison.Ordinal);
        // The page's own markup is intact: one table, closed once.
        Assert.Equal(1, Count(html, "</table>"));
    }

    [Fact]
    public async Task Render_AnyProfile_IsStandaloneAndPrintReady()
    {
        var html = Encoding.UTF8.GetString(await CaseExport.RenderAsync(ExportFixtures.GoldenDocument(ExportProfile.Public), ExportFormat.Html, cancellationToken: TestContext.Current.CancellationToken));

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("@media print", html, StringComparison.Ordinal);
        Assert.Contains("button { display: none !important; }", html, StringComparison.Ordinal);
        Assert.Contains("a[href]::after { content: \" (\" attr(href) \")\"", html, StringComparison.Ordinal);
        Assert.Contains("thead { display: table-header-group; }", html, StringComparison.Ordinal);
    }

    private static int Count(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
