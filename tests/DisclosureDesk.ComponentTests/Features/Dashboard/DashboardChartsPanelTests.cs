using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Dashboard;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.ComponentTests.Features.Dashboard;

public sealed class DashboardChartsPanelTests : ComponentTestBase
{
    public DashboardChartsPanelTests()
    {
        JSInterop.SetupModule("./Features/Dashboard/ChartView.razor.js").SetupVoid("render", _ => true).SetVoidResult();
    }

    [Fact]
    public async Task Render_OneOwnerNotifiedAndSilent_SaysOneOfEachInTheSingular()
    {
        var reference = await FileCaseAsync(new CaseForm { Title = "Open MongoDB", Host = "db.example.com" }, Researcher);
        await using (var db = CreateDbContext())
        {
            var stored = await db.Cases.SingleAsync(c => c.Reference == reference, TestContext.Current.CancellationToken);
            stored.Status = CaseStatus.Notified;
            stored.FirstNotifiedAt = Clock.GetUtcNow().UtcDateTime.AddDays(-2);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var panel = Render<DashboardChartsPanel>();

        Assert.Equal(
            [("open", "1", "open case"), ("notified", "1", "owner notified"), ("response-rate", "0%", "of notified owners answered"), ("awaiting", "1", "owner yet to answer")],
            panel.FindAll("[data-figure]").Select(f => (f.GetAttribute("data-figure")!, f.TextContent.Trim(), f.NextElementSibling!.TextContent.Trim())));
    }
}
