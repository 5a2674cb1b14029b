using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>The side navigation every page shows; what it offers depends on who is signed in.</summary>
public sealed class NavMenu(IPage page)
{
    public ILocator Link(string name) =>
        page.GetByRole(AriaRole.Navigation).GetByRole(AriaRole.Link, new() { Name = name, Exact = true });
}
