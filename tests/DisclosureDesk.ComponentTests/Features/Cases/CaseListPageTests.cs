using DisclosureDesk.Features.Cases;

namespace DisclosureDesk.ComponentTests.Features.Cases;

public sealed class CaseListPageTests : ComponentTestBase
{
    private static readonly Severity[] Severities = Enum.GetValues<Severity>();
    private static readonly ServiceEngine[] Engines = Enum.GetValues<ServiceEngine>();

    [Fact]
    public async Task Next_SixtyCases_ShowsNewestFirstInPagesOf25And25And10ThenDisablesNext()
    {
        var newestFirst = (await FileCasesAsync(60, Researcher)).Reverse().ToList();
        var page = RenderList();

        Assert.Equal(newestFirst[..25], References(page));
        Assert.True(page.FindButton("Previous").HasAttribute("disabled"));

        await page.FindButton("Next").ClickAsync();
        Assert.Equal(newestFirst[25..50], References(page));

        await page.FindButton("Next").ClickAsync();
        Assert.Equal(newestFirst[50..], References(page));
        Assert.True(page.FindButton("Next").HasAttribute("disabled"));
        Assert.False(page.FindButton("Previous").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Previous_FromLastPage_ShowsExactlyThePreviousPageAgain()
    {
        await FileCasesAsync(60, Researcher);
        var page = RenderList();
        await page.FindButton("Next").ClickAsync();
        var secondPage = References(page);
        await page.FindButton("Next").ClickAsync();

        await page.FindButton("Previous").ClickAsync();

        Assert.Equal(secondPage, References(page));
        Assert.False(page.FindButton("Next").HasAttribute("disabled"));
        Assert.False(page.FindButton("Previous").HasAttribute("disabled"));
    }

    [Fact]
    public async Task SeverityFilter_High_ShowsOnlyHighCasesAndCountsThem()
    {
        await FileCasesAsync(40, Researcher);
        var page = RenderList();
        Assert.Equal("40 cases match.", CountText(page));

        await page.FindByLabel("Severity").ChangeAsync(nameof(Severity.High));

        var rows = Rows(page);
        Assert.Equal(10, rows.Count);
        Assert.All(rows, r => Assert.Equal("High", r.Severity));
        Assert.Equal("10 cases match.", CountText(page));
    }

    [Fact]
    public async Task StatusFilter_Triaged_ShowsOnlyTriagedCasesAndCountsThem()
    {
        await FileCasesAsync(40, Researcher);
        var page = RenderList();

        await page.FindByLabel("Status").ChangeAsync(nameof(CaseStatus.Triaged));

        var rows = Rows(page);
        Assert.Equal(13, rows.Count);
        Assert.All(rows, r => Assert.Equal("Triaged", r.Status));
        Assert.Equal("13 cases match.", CountText(page));
    }

    [Theory]
    [InlineData("203.0.113.1", new[] { "203.0.113.18:27017", "203.0.113.16:27017", "203.0.113.14:27017", "203.0.113.12:27017", "203.0.113.10:27017" })]
    [InlineData("DB07.", new[] { "db07.example.net:27017" })]
    public async Task Search_HostPrefix_ShowsOnlyTheMatchingCases(string search, string[] expectedHosts)
    {
        await FileCasesAsync(40, Researcher);
        var page = RenderList();

        await page.FindByLabel("Search").ChangeAsync(search);
        await page.Find("form[role=search]").SubmitAsync();

        Assert.Equal(expectedHosts, Rows(page).Select(r => r.Host));
        Assert.Equal(expectedHosts.Length == 1 ? "1 case matches." : $"{expectedHosts.Length} cases match.", CountText(page));
    }

    [Fact]
    public async Task Render_AsResearcher_ShowsOnlyTheCasesTheyLead()
    {
        var own = await FileCasesAsync(4, Researcher);
        var others = await FileCasesAsync(3, OtherResearcher);

        var page = RenderList();

        var shown = References(page);
        Assert.Equal(own.Reverse(), shown);
        Assert.DoesNotContain(shown, others.Contains);
        Assert.All(Rows(page), r => Assert.Equal(Researcher.Name, r.Lead));
    }

    [Fact]
    public async Task Render_AsAdministrator_ShowsEveryonesCases()
    {
        var researchers = await FileCasesAsync(4, Researcher);
        var others = await FileCasesAsync(3, OtherResearcher);
        SignInAs(Administrator);

        var page = RenderList();

        Assert.Equal(researchers.Concat(others).Reverse(), References(page));
        Assert.Equal("7 cases match.", CountText(page));
    }

    [Fact]
    public async Task Render_TitleWithHtml_ShowsTheMarkupAsText()
    {
        const string title = "<script>alert(1)</script>";
        await FileCaseAsync(new CaseForm { Title = title, Host = "db.example.com" }, Researcher);

        var page = RenderList();

        Assert.Equal(title, Rows(page).Single().Title);
        Assert.Empty(page.FindAll("script"));
    }

    /// <summary>
    /// Files cases 1..count in order with varied severity, service, host and status. Cases are filed in
    /// pairs at the same instant, so paging must break ties on creation time by id.
    /// </summary>
    private async Task<IReadOnlyList<string>> FileCasesAsync(int count, TestUser lead)
    {
        var references = new List<string>();
        for (var n = 1; n <= count; n++)
        {
            if (n % 2 == 1)
            {
                Clock.Advance(TimeSpan.FromMinutes(7));
            }
            var reference = await FileCaseAsync(new CaseForm
            {
                Title = $"Exposed datastore {n:D2}",
                Severity = Severities[n % Severities.Length],
                Service = Engines[n % Engines.Length],
                Host = n % 2 == 0 ? $"203.0.113.{n}" : $"db{n:D2}.example.net",
                OrganizationName = $"Customer {n:D2}",
            }, lead);
            if (n % 3 == 0)
            {
                await ChangeStatusAsync(reference, CaseStatus.Triaged, lead);
            }
            references.Add(reference);
        }
        return references;
    }

    /// <summary>Renders the list and waits for its first page to load from the database.</summary>
    private IRenderedComponent<CaseListPage> RenderList()
    {
        var page = Render<CaseListPage>();
        page.WaitForAssertion(() => Assert.DoesNotContain("Loading…", page.Markup, StringComparison.Ordinal));
        return page;
    }

    private static List<string> References(IRenderedComponent<CaseListPage> page) => Rows(page).Select(r => r.Reference).ToList();

    private static string CountText(IRenderedComponent<CaseListPage> page) => page.Find("[aria-live=polite]").TextContent.Trim();

    private sealed record ListedCase(string Reference, string Title, string Host, string Severity, string Status, string Lead);

    /// <summary>The rows as the user reads them, each cell found by its column heading.</summary>
    private static List<ListedCase> Rows(IRenderedComponent<CaseListPage> page)
    {
        var headings = page.FindAll("thead th").Select(h => h.TextContent.Trim()).ToList();
        return page.FindAll("tbody tr").Select(row =>
        {
            var cells = row.QuerySelectorAll("td");
            string Cell(string heading) => cells[headings.IndexOf(heading)].TextContent.Trim();
            return new ListedCase(Cell("Case"), Cell("Title"), Cell("Host"), Cell("Severity"), Cell("Status"), Cell("Lead"));
        }).ToList();
    }
}
