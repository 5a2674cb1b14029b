using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>The Cases page: search, filters and the table of cases.</summary>
public sealed class CaseListPage(IPage page)
{
    private ILocator SearchButton => page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true });

    /// <summary>The table's body rows, one per case; the header row has column headers, not cells.</summary>
    public ILocator Rows => page.GetByRole(AriaRole.Table).GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Cell) });

    public ILocator MatchCount => page.GetByText(new Regex(@"^\S+ cases? match(es)?\.$"));

    public ILocator Row(string reference) =>
        Rows.Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = reference, Exact = true }) });

    public async Task GotoAsync()
    {
        await page.GotoAsync("cases");
        await BlazorCircuit.WaitUntilInteractiveAsync(SearchButton);
    }

    public async Task SearchAsync(string text)
    {
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync(text);
        await SearchButton.ClickAsync();
    }

    /// <summary>The case ids listed on this page of the table, top to bottom.</summary>
    public async Task<IReadOnlyList<string>> ReferencesAsync() => await Rows.GetByRole(AriaRole.Link).AllInnerTextsAsync();

    public async Task<CasePage> OpenAsync(string reference)
    {
        await Row(reference).GetByRole(AriaRole.Link, new() { Name = reference, Exact = true }).ClickAsync();
        return await CasePage.ShownAsync(page);
    }
}
