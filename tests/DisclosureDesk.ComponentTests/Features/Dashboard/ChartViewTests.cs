using DisclosureDesk.Features.Dashboard;

namespace DisclosureDesk.ComponentTests.Features.Dashboard;

public sealed class ChartViewTests : ComponentTestBase
{
    [Fact]
    public void Render_TwoSeries_DrawsThemWithChartJsAndListsTheSameNumbersAsATable()
    {
        var module = JSInterop.SetupModule("./Features/Dashboard/ChartView.razor.js");
        module.SetupVoid("render", _ => true).SetVoidResult();

        var chart = Render<ChartView>(p => p
            .Add(c => c.Title, "Cases per month")
            .Add(c => c.CategoryHeader, "Month")
            .Add(c => c.Labels, ["Jan 2031", "Feb 2031"])
            .Add(c => c.Series, [new ChartView.ChartSeries("Opened", [3, 0]), new ChartView.ChartSeries("Closed", [1, 2])]));

        var drawn = Assert.Single(module.VerifyInvoke("render").Arguments.Skip(1));
        var json = System.Text.Json.JsonSerializer.Serialize(drawn);
        Assert.Contains("\"labels\":[\"Jan 2031\",\"Feb 2031\"]", json, StringComparison.Ordinal);
        Assert.Contains("{\"label\":\"Opened\",\"values\":[3,0]}", json, StringComparison.Ordinal);
        Assert.Equal(
            [["Month", "Opened", "Closed"], ["Jan 2031", "3", "1"], ["Feb 2031", "0", "2"]],
            chart.FindAll("table tr").Select(r => r.Children.Select(c => c.TextContent).ToArray()));
        Assert.Equal("Cases per month: Jan 2031 Opened 3, Closed 1; Feb 2031 Opened 0, Closed 2", chart.Find("canvas").GetAttribute("aria-label"));
    }

    [Fact]
    public void Render_ScriptFailsToDraw_KeepsTheComponentAndItsNumbers()
    {
        var module = JSInterop.SetupModule("./Features/Dashboard/ChartView.razor.js");
        module.SetupVoid("render", _ => true).SetException(new Microsoft.JSInterop.JSException("Cannot read properties of null (reading 'dataset')"));

        var chart = Render<ChartView>(p => p
            .Add(c => c.Title, "Open cases by status")
            .Add(c => c.Labels, ["Notified"])
            .Add(c => c.Series, [new ChartView.ChartSeries("Cases", [4])]));

        module.VerifyInvoke("render");
        Assert.False(Renderer.UnhandledException.IsCompleted, "The renderer caught an exception, which in the app ends the circuit.");
        Assert.Equal("4", chart.Find("tbody td").TextContent);
    }

    [Fact]
    public void Render_Percentages_ShowsThemWithAPercentSign()
    {
        var module = JSInterop.SetupModule("./Features/Dashboard/ChartView.razor.js");
        module.SetupVoid("render", _ => true).SetVoidResult();

        var chart = Render<ChartView>(p => p
            .Add(c => c.Title, "Response rate")
            .Add(c => c.Percent, true)
            .Add(c => c.Labels, ["MongoDB"])
            .Add(c => c.Series, [new ChartView.ChartSeries("Answered", [66.7])]));

        Assert.Equal("66.7%", chart.Find("tbody td").TextContent);
    }
}
