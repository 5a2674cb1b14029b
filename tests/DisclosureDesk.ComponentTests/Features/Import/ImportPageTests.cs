using Bunit;
using DisclosureDesk.Features.Import;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace DisclosureDesk.ComponentTests.Features.Import;

public sealed class ImportPageTests : ComponentTestBase
{
    [Fact]
    public async Task CheckFile_FileWithBadRows_ListsEachErrorWithItsLineAndRefusesImportWithoutConsent()
    {
        var file = "{\"ip_str\":\"198.51.100.1\",\"port\":27017}\n{\"ip_str\":\"198.51.100.2\",\"port\":70000}\n{\"port\":1}\n{\"ip_str\":\"198.51.100.3\",\"po";
        var page = Render<ImportPage>();

        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(file, "scan.jsonl"));
        page.WaitForElement("button.btn-outline-primary");
        page.Find("button.btn-outline-primary").Click();

        page.WaitForAssertion(() => Assert.Equal(
            ["Line 2: The port '70000' is not between 1 and 65535.", "Line 3: No host: the row needs an IP address or hostname.", "Line 4: The last line is cut off: the file looks truncated."],
            page.FindAll(".import-errors li").Select(li => li.TextContent.Trim())));
        Assert.Contains("3 rows with errors", page.Find(".import-counts").TextContent, StringComparison.Ordinal);
        Assert.Equal("Import the valid rows and skip the 3 bad ones", page.Find("label[for=import-skip]").TextContent.Trim());

        page.Find(".import-preview button.btn-primary").Click();

        page.WaitForAssertion(() => Assert.Contains("3 rows have errors", page.Find(".alert-danger").TextContent, StringComparison.Ordinal));
        await using var db = CreateDbContext();
        Assert.Empty(db.Cases);
    }

    [Fact]
    public async Task Progress_WhileTheJobRuns_UpdatesEveryTwoSecondsAndCancelAsksTheJobToStop()
    {
        var runId = await RunAsync(ImportRunState.Running, done: 0);
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("run", runId));
        var page = Render<ImportPage>();
        Assert.StartsWith("0 of 1000 findings done", page.Find(".import-progress [role=status]").TextContent.Trim(), StringComparison.Ordinal);

        await SetAsync(runId, ImportRunState.Running, done: 500);
        Clock.Advance(TimeSpan.FromSeconds(2));

        page.WaitForAssertion(() => Assert.StartsWith("500 of 1000 findings done", page.Find(".import-progress [role=status]").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Equal("width: 50%", page.Find(".progress-bar").GetAttribute("style"));

        page.Find(".import-progress button").Click();

        page.WaitForAssertion(() => Assert.Equal("Cancelling…", page.Find(".import-progress button").TextContent.Trim()));
        await using (var db = CreateDbContext())
        {
            Assert.True(db.Set<ImportRun>().Single(r => r.Id == runId).CancelRequested);
        }

        await SetAsync(runId, ImportRunState.Cancelled, done: 500);
        Clock.Advance(TimeSpan.FromSeconds(2));

        page.WaitForAssertion(() => Assert.Contains("Cancelled", page.Find("#progress-heading").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll(".import-progress button"));
    }

    private async Task<long> RunAsync(ImportRunState state, int done)
    {
        await using var db = CreateDbContext();
        var run = new ImportRun
        {
            FileName = "large.jsonl", Sha256 = new string('b', 64), State = state, CreatedById = Researcher.Id, CreatedByName = Researcher.Name,
            CreatedAt = Clock.GetUtcNow().UtcDateTime, ValidRows = 1000, RowsTotal = 1000, RowsDone = done,
        };
        db.Add(run);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return run.Id;
    }

    private async Task SetAsync(long runId, ImportRunState state, int done)
    {
        await using var db = CreateDbContext();
        var run = db.Set<ImportRun>().Single(r => r.Id == runId);
        (run.State, run.RowsDone) = (state, done);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}
