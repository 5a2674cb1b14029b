using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications.Templates;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.ComponentTests.Features.Notifications;

public sealed class EditEmailTemplatePageTests : ComponentTestBase
{
    public EditEmailTemplatePageTests() => SignInAs(Administrator);

    [Fact]
    public async Task TypingAnUnknownField_ShowsTheErrorWithItsLineAndDisablesSave()
    {
        var page = Render<EditEmailTemplatePage>(p => p.Add(x => x.Slug, "initial-notification"));
        page.WaitForAssertion(() => Assert.Contains("We look for databases", page.Find("#template-source").GetAttribute("value"), StringComparison.Ordinal));

        page.Find("#template-source").Input("Subject: [{{ case.reference }}] Exposed\n\nDear owner,\n\nYour server {{ case.endpont }} is open.\n");
        Clock.Advance(EditEmailTemplatePage.PreviewDelay);

        page.WaitForAssertion(() =>
        {
            var error = Assert.Single(page.FindAll(".template-errors li"));
            Assert.StartsWith("Line 5: Unknown field 'case.endpont'.", error.TextContent.Trim(), StringComparison.Ordinal);
            Assert.Contains("Your server {{ case.endpont }} is open.", error.TextContent, StringComparison.Ordinal);
        });
        Assert.True(page.FindButton("Save").HasAttribute("disabled"));
        Assert.Contains("is-invalid", page.Find("#template-source").ClassList);
        await using var db = CreateDbContext();
        Assert.False(await db.EmailTemplateVersions.AnyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ValidEdit_PreviewsAgainstTheNewestCaseOnceTypingPausesAndSaves()
    {
        var reference = await FileCaseAsync(new CaseForm
        {
            Title = "Open Elasticsearch with parcel addresses",
            Host = "192.0.2.44",
            Port = 9200,
            Service = ServiceEngine.Elasticsearch,
            OrganizationName = "Example Corp.",
        }, Researcher);
        var page = Render<EditEmailTemplatePage>(p => p.Add(x => x.Slug, "initial-notification"));
        page.WaitForAssertion(() => Assert.Equal(reference, page.Find("#preview-case").GetAttribute("value")));

        page.Find("#template-source").Input("Subject: [{{ case.reference }}] About {{ case.endpoint }}\n\nHello {{ organization.name | end_sentence }}\n<b>{{ case.title }}</b>\n");

        // Until typing pauses, nothing is checked and nothing can be saved.
        Assert.True(page.FindButton("Save").HasAttribute("disabled"));
        Clock.Advance(EditEmailTemplatePage.PreviewDelay);
        page.WaitForAssertion(() =>
        {
            Assert.Equal($"[{reference}] About 192.0.2.44:9200", page.Find(".preview-subject").TextContent);
            Assert.False(page.FindButton("Save").HasAttribute("disabled"));
        });
        var body = page.Find(".preview-body");
        Assert.Equal("Hello Example Corp.\n<b>Open Elasticsearch with parcel addresses</b>\n", body.TextContent);
        // The body is text, not markup: the case title's tags are shown, never rendered.
        Assert.Empty(body.QuerySelectorAll("b"));
        Assert.Empty(page.FindAll(".template-errors li"));

        page.FindButton("Save").Click();

        page.WaitForAssertion(() => Assert.Contains("Saved as version 1.", page.Find("[role=status]").TextContent, StringComparison.Ordinal));
        await using var db = CreateDbContext();
        var saved = await db.EmailTemplateVersions.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(EmailTemplateId.InitialNotification, saved.TemplateId);
        Assert.Equal(Administrator.Id, saved.SavedById);
        Assert.StartsWith("Subject: [{{ case.reference }}] About", saved.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void AccountTemplate_ListsOnlyTheAccountFieldsAndPreviewsASampleAccount()
    {
        var page = Render<EditEmailTemplatePage>(p => p.Add(x => x.Slug, "reset-password"));

        page.WaitForAssertion(() => Assert.Equal("Reset your DisclosureDesk password", page.Find(".preview-subject").TextContent));
        var fields = page.FindAll(".template-fields code").Select(c => c.TextContent).ToList();
        Assert.Equal(["user.name", "user.email", "link", "site_name"], fields);
        Assert.Empty(page.FindAll("#preview-case"));
    }
}
