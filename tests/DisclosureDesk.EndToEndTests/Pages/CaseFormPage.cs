using System.Globalization;
using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>The New case page.</summary>
public sealed class CaseFormPage(IPage page)
{
    private ILocator CreateButton => page.GetByRole(AriaRole.Button, new() { Name = "Create case", Exact = true });

    public ILocator Field(string label) => page.GetByLabel(label, new() { Exact = true });

    /// <summary>A validation message in the same form group as the field labelled <paramref name="label"/>.</summary>
    public ILocator MessageBeside(string label, string message) => Field(label).Locator("..").GetByText(message, new() { Exact = true });

    public async Task GotoNewAsync()
    {
        await page.GotoAsync("cases/new");
        await BlazorCircuit.WaitUntilInteractiveAsync(CreateButton);
    }

    public async Task FillAsync(CaseDraft draft)
    {
        await Field("Title").FillAsync(draft.Title);
        if (draft.Severity is { } severity)
        {
            await Field("Severity").SelectOptionAsync(new SelectOptionValue { Label = severity });
        }
        if (draft.Service is { } service)
        {
            await Field("Service").SelectOptionAsync(new SelectOptionValue { Label = service });
        }
        await Field("Host").FillAsync(draft.Host);
        await Field("Port").FillAsync(draft.Port.ToString(CultureInfo.InvariantCulture));
        if (draft.Organisation is { } organisation)
        {
            await Field("Organisation").FillAsync(organisation);
        }
    }

    public async Task SubmitAsync() => await CreateButton.ClickAsync();

    /// <summary>Files the case and returns its page, once the app has navigated there.</summary>
    public async Task<CasePage> CreateAsync(CaseDraft draft)
    {
        await FillAsync(draft);
        await SubmitAsync();
        return await CasePage.ShownAsync(page);
    }
}
