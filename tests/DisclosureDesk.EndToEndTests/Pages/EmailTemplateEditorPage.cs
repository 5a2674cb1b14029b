using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>An email template's editor at /admin/templates/{name}: the source, its errors, the live preview and the history.</summary>
public sealed class EmailTemplateEditorPage(IPage page)
{
    public ILocator Source => page.GetByLabel("Template source", new() { Exact = true });

    public ILocator Errors => page.Locator("#template-errors").GetByRole(AriaRole.Listitem);

    public ILocator PreviewSubject => page.Locator(".preview-subject");

    public ILocator Save => page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true });

    public ILocator ResetToDefault => page.GetByRole(AriaRole.Button, new() { Name = "Reset to default", Exact = true });

    public ILocator Status => page.GetByRole(AriaRole.Status);

    /// <summary>Opens the template from the Email templates page, as an administrator would.</summary>
    public async Task OpenFromListAsync(string templateName)
    {
        await new NavMenu(page).Link("Email templates").ClickAsync();
        var template = page.GetByRole(AriaRole.Link, new() { Name = templateName, Exact = true });
        // A click on the prerendered list while its circuit is still starting navigates away from a component
        // being attached, and the editor it lands on then never became interactive.
        await BlazorCircuit.WaitUntilInteractiveAsync(template);
        await template.ClickAsync();
        await BlazorCircuit.WaitUntilInteractiveAsync(Source);
    }
}
