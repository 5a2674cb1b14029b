using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.ComponentTests.Features.Cases;

public sealed class CreateCasePageTests : ComponentTestBase
{
    private const string HostNameMessage = "Enter an IP address or a hostname such as db.example.com (no scheme, port or path).";

    [Fact]
    public async Task Submit_EmptyForm_ShowsRequiredMessagesBesideFieldsAndFilesNothing()
    {
        var page = Render<CreateCasePage>();

        await SubmitAsync(page);

        Assert.Equal(["Give the case a title."], page.MessagesBeside("Title"));
        Assert.Equal(["Enter the host: an IP address or a hostname."], page.MessagesBeside("Host"));
        Assert.Equal(Navigation.BaseUri, Navigation.Uri);
        await AssertNoCaseFiledAsync();
    }

    [Theory]
    [InlineData("0")]
    [InlineData("70000")]
    public async Task Submit_PortOutOfRange_ShowsPortMessageAndFilesNothing(string port)
    {
        var page = Render<CreateCasePage>();
        await FillRequiredAsync(page);
        await page.FindByLabel("Port").ChangeAsync(port);

        await SubmitAsync(page);

        Assert.Equal(["The port must be between 1 and 65535."], page.MessagesBeside("Port"));
        await AssertNoCaseFiledAsync();
    }

    [Fact]
    public async Task Submit_HostWithSchemeAndPath_ShowsHostNameMessageAndFilesNothing()
    {
        var page = Render<CreateCasePage>();
        await FillRequiredAsync(page);
        await page.FindByLabel("Host").ChangeAsync("http://x.com/path");

        await SubmitAsync(page);

        Assert.Equal([HostNameMessage], page.MessagesBeside("Host"));
        await AssertNoCaseFiledAsync();
    }

    [Fact]
    public async Task Submit_NegativeRecordCount_ShowsRecordCountMessageAndFilesNothing()
    {
        var page = Render<CreateCasePage>();
        await FillRequiredAsync(page);
        await page.FindByLabel("Record count").ChangeAsync("-5");

        await SubmitAsync(page);

        Assert.Equal(["The record count cannot be negative."], page.MessagesBeside("Record count"));
        await AssertNoCaseFiledAsync();
    }

    [Fact]
    public async Task Submit_TitleWithHtml_FilesCaseWithTheTitleAsTyped()
    {
        const string title = "<script>alert(1)</script>";
        var page = Render<CreateCasePage>();
        await FillRequiredAsync(page);
        await page.FindByLabel("Title").ChangeAsync(title);

        await SubmitAsync(page);

        Assert.Empty(page.MessagesBeside("Title"));
        await using var db = CreateDbContext();
        var filed = await db.Cases.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(title, filed.Title);
    }

    [Fact]
    public async Task Submit_ValidForm_FilesOneCaseLedByTheUserAndOpensIt()
    {
        var expectedReference = $"DD-{Clock.GetUtcNow().Year}-00001";
        var page = Render<CreateCasePage>();
        await page.FindByLabel("Title").ChangeAsync("Delivery riders' GPS traces in an open Elasticsearch");
        await page.FindByLabel("Severity").ChangeAsync(nameof(Severity.High));
        await page.FindByLabel("Service").ChangeAsync(nameof(ServiceEngine.Elasticsearch));
        await page.FindByLabel("Host").ChangeAsync("  203.0.113.7 ");
        await page.FindByLabel("Port").ChangeAsync("9200");
        await page.FindByLabel("Organisation").ChangeAsync("Example Logistics");

        await SubmitAsync(page);

        Assert.Equal($"{Navigation.BaseUri}cases/{expectedReference}", Navigation.Uri);
        await using var db = CreateDbContext();
        var filed = await db.Cases.AsNoTracking().SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal(expectedReference, filed.Reference);
        Assert.Equal(Researcher.Id, filed.LeadId);
        Assert.Equal(CaseStatus.New, filed.Status);
        Assert.Equal(Severity.High, filed.Severity);
        Assert.Equal(ServiceEngine.Elasticsearch, filed.Service);
        Assert.Equal("203.0.113.7", filed.Host);
        Assert.Equal(9200, filed.Port);
        Assert.Equal("Example Logistics", filed.OrganizationName);
        Assert.Equal(Clock.GetUtcNow().UtcDateTime, filed.CreatedAt);
        var events = await db.TimelineEvents.Where(e => e.CaseId == filed.Id).Select(e => e.Type).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([TimelineEventType.CaseCreated], events);
    }

    private static async Task FillRequiredAsync(IRenderedComponent<CreateCasePage> page)
    {
        await page.FindByLabel("Title").ChangeAsync("Open MongoDB with customer records");
        await page.FindByLabel("Host").ChangeAsync("db.example.com");
    }

    private static Task SubmitAsync(IRenderedComponent<CreateCasePage> page) => page.Find("form").SubmitAsync();

    private async Task AssertNoCaseFiledAsync()
    {
        await using var db = CreateDbContext();
        Assert.False(await db.Cases.AnyAsync(TestContext.Current.CancellationToken));
    }
}
