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
        Assert.StartsWith("0 of 1,000 findings done", page.Find(".import-progress [role=status]").TextContent.Trim(), StringComparison.Ordinal);

        await SetAsync(runId, ImportRunState.Running, done: 500);
        Clock.Advance(TimeSpan.FromSeconds(2));

        page.WaitForAssertion(() => Assert.StartsWith("500 of 1,000 findings done", page.Find(".import-progress [role=status]").TextContent.Trim(), StringComparison.Ordinal));
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

    [Fact]
    public async Task Preview_PerRdapOwnerAfterTheLookup_ListsOwnerCasesWithTheirAbuseContactAndTheFindingsWithoutAnOwner()
    {
        var runId = await StagedRunAsync(OwnerLookupState.Completed, withOwners: true);
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("run", runId));
        var page = Render<ImportPage>();

        page.Find("#import-grouping").Change(ImportGrouping.PerRdapOwner.ToString());

        page.WaitForAssertion(() => Assert.Equal(
            ["2 exposed services at Example Hosting GmbH (2 findings), abuse contact abuse@hosting.example", "Exposed MongoDB at 192.0.2.44:27017 (1 finding)"],
            page.FindAll(".import-cases li").Select(li => li.TextContent.Trim())));
        Assert.Equal("2 cases will be filed.", page.Find(".import-case-count").TextContent.Trim());
        Assert.Equal(["Line 3, 192.0.2.44:27017: RDAP has no network for 192.0.2.44."], page.FindAll(".import-owner-warnings li").Select(li => li.TextContent.Trim()));
        Assert.Contains("1 finding without an owner: each gets a case for its host", page.Find(".import-owners h3").TextContent, StringComparison.Ordinal);
        Assert.False(page.Find(".import-preview button.btn-primary").HasAttribute("disabled"));
    }

    [Fact]
    public async Task LookUpOwners_Clicked_QueuesTheLookupShowsItsProgressAndCancelAsksItToStop()
    {
        var runId = await StagedRunAsync(OwnerLookupState.NotStarted, withOwners: false);
        Navigation.NavigateTo(Navigation.GetUriWithQueryParameter("run", runId));
        var page = Render<ImportPage>();
        page.Find("#import-grouping").Change(ImportGrouping.PerRdapOwner.ToString());
        page.WaitForAssertion(() => Assert.Empty(page.FindAll(".import-case-count")));
        Assert.True(page.Find(".import-preview button.btn-primary").HasAttribute("disabled"), "Nothing can be imported per owner before the owners are known.");

        page.FindButton("Look up owners").Click();

        page.WaitForAssertion(() => Assert.StartsWith("Looking up owners: 0 of 0 hosts", page.Find(".import-owners [role=status]").TextContent.Trim(), StringComparison.Ordinal));
        await using (var db = CreateDbContext())
        {
            var run = db.Set<ImportRun>().Single(r => r.Id == runId);
            Assert.Equal(OwnerLookupState.Queued, run.OwnerLookup);
            (run.OwnerLookup, run.OwnerHosts, run.OwnerHostsDone, run.OwnerLookups) = (OwnerLookupState.Running, 3, 1, 1);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }
        Clock.Advance(TimeSpan.FromSeconds(2));
        page.WaitForAssertion(() => Assert.Equal("Looking up owners: 1 of 3 hosts, 1 RDAP lookup.", page.Find(".import-owners [role=status]").TextContent.Trim()));

        page.FindButton("Cancel lookup").Click();

        page.WaitForAssertion(() => Assert.Equal("Cancelling…", page.Find(".import-owners button").TextContent.Trim()));
        await using var check = CreateDbContext();
        Assert.True(check.Set<ImportRun>().Single(r => r.Id == runId).OwnerLookupCancelRequested);
    }

    private async Task<long> StagedRunAsync(OwnerLookupState lookup, bool withOwners)
    {
        await using var db = CreateDbContext();
        var run = new ImportRun
        {
            FileName = "owners.jsonl", Sha256 = new string('c', 64), State = ImportRunState.Staged, CreatedById = Researcher.Id, CreatedByName = Researcher.Name,
            CreatedAt = Clock.GetUtcNow().UtcDateTime, ValidRows = 3, OwnerLookup = lookup, OwnerHosts = withOwners ? 3 : 0, OwnerHostsDone = withOwners ? 3 : 0,
            OwnerLookups = withOwners ? 2 : 0,
        };
        db.Add(run);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        var network = new ImportOwnerNetwork
        {
            RunId = run.Id, StartAddress = "198.51.100.0", EndAddress = "198.51.100.255", Handle = "NET-A", Registry = "rdap.example",
            Organization = "Example Hosting GmbH", AbuseEmail = "abuse@hosting.example", Source = "https://rdap.example/ip/198.51.100.10",
        };
        db.Add(network);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        foreach (var (line, host) in new[] { (1, "198.51.100.10"), (2, "198.51.100.11"), (3, "192.0.2.44") })
        {
            db.Add(new ImportRow
            {
                RunId = run.Id, Line = line, Host = host, HostKey = host, Port = 27017, Service = DisclosureDesk.Features.Cases.ServiceEngine.MongoDB,
                State = ImportRowState.Pending, Raw = "{}",
                OwnerNetworkId = withOwners && line < 3 ? network.Id : null,
                OwnerWarning = withOwners && line == 3 ? "RDAP has no network for 192.0.2.44." : null,
            });
        }
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return run.Id;
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
