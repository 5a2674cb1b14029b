using DisclosureDesk.EndToEndTests.Pages;
using static Microsoft.Playwright.Assertions;

namespace DisclosureDesk.EndToEndTests.Features.Notifications;

public sealed class EmailTemplateJourneyTests(AppFixture app) : BrowserTest(app)
{
    [Fact]
    public async Task EditTemplate_TypoThenFix_ShowsTheLineRefusesSaveThenSavesAndResets()
    {
        var page = await OpenPageAsAdministratorAsync();
        await page.GotoAsync("");
        var editor = new EmailTemplateEditorPage(page);
        await editor.OpenFromListAsync("First follow-up");
        var original = await editor.Source.InputValueAsync();

        await editor.Source.FillAsync(original.Replace("{{ case.endpoint }} that can", "{{ case.endpont }} that can", StringComparison.Ordinal));

        await Expect(editor.Errors.First).ToContainTextAsync("Line 6: Unknown field 'case.endpont'.");
        await Expect(editor.Save).ToBeDisabledAsync();
        await DocsScreenshots.SaveIfRequestedAsync(page, "template-editor.png");

        await editor.Source.FillAsync(original.Replace("Follow-up:", "Reminder:", StringComparison.Ordinal));
        await Expect(editor.PreviewSubject).ToContainTextAsync("Reminder: exposed");
        await Expect(editor.Errors).ToHaveCountAsync(0);
        await editor.Save.ClickAsync();
        await Expect(editor.Status).ToContainTextAsync("Saved as version");

        // The other end-to-end tests send this template; put the default back for them.
        await editor.ResetToDefault.ClickAsync();
        await Expect(editor.Status).ToContainTextAsync("Reset to the shipped default");
        await Expect(editor.PreviewSubject).ToContainTextAsync("Follow-up: exposed");
    }
}
