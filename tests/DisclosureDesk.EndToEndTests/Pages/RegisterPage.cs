using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>Identity's Register page: a static server-rendered form, so it works before any circuit exists.</summary>
public sealed class RegisterPage(IPage page)
{
    public async Task GotoAsync() => await page.GotoAsync("Account/Register");

    public async Task RegisterAsync(string email, string password)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Confirm Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Register" }).ClickAsync();
    }
}
