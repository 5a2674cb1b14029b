using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>The Outbox at /outbox: every email the user may see, with its delivery state.</summary>
public sealed class OutboxPage(IPage page, Uri baseAddress)
{
    public ILocator Rows => page.Locator("table.outbox-table > tbody > tr[data-outbox-id]");

    public ILocator Row(string subjectPart) => Rows.Filter(new() { HasText = subjectPart });

    public ILocator PickupHint => page.GetByRole(AriaRole.Note);

    public async Task GotoAsync()
    {
        await page.GotoAsync(new Uri(baseAddress, "outbox").ToString());
        await BlazorCircuit.WaitUntilInteractiveAsync(page.GetByLabel("State", new() { Exact = true }));
    }
}
