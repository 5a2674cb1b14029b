using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Infrastructure.Email;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.ComponentTests.Features.Notifications;

public sealed class OutboxPageTests : ComponentTestBase
{
    private readonly Outbox _outbox;

    public OutboxPageTests()
    {
        _outbox = new Outbox(Options.Create(new EmailOptions()), Clock, new UnusedJobClient());
    }

    [Fact]
    public async Task StateFilter_Failed_ShowsOnlyTheFailedRowWithTheServersReply()
    {
        var caseId = await FileCaseAsync();
        var sent = await EnqueueAsync(caseId, "Sent one", "Body", OutboxState.Sent);
        var failed = await EnqueueAsync(caseId, "Failed one", "Body", OutboxState.Failed, "550 5.1.1 <owner@db.example>: mailbox unavailable");
        var unknown = await EnqueueAsync(caseId, "Unknown one", "Body", OutboxState.Unknown);
        var page = Render<OutboxPage>();
        Assert.Equal([unknown, failed, sent], RowIds(page));

        await page.FindByLabel("State").ChangeAsync(nameof(OutboxState.Failed));

        Assert.Equal([failed], RowIds(page));
        Assert.Equal("Failed", page.Find($"tr[data-outbox-id='{failed}'] .badge").TextContent);
        Assert.Contains("The server said: 550 5.1.1 <owner@db.example>: mailbox unavailable", page.Find(".outbox-explanation").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Sent one", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_EmailsOfACase_SayWhetherTheyWentToTheOwnerOrTheTeam()
    {
        var caseId = await FileCaseAsync();
        var notification = await EnqueueAsync(caseId, "First notice", "Body");
        var followUp = await EnqueueAsync(caseId, "Second notice", "Body", OutboxState.Scheduled, purpose: OutboxPurpose.OwnerFollowUp);
        var reminder = await EnqueueAsync(caseId, "Deadline in 7 days", "Body", purpose: OutboxPurpose.DeadlineReminder);

        var page = Render<OutboxPage>();

        Assert.Equal("Owner notification", page.Find($"tr[data-outbox-id='{notification}'] td:nth-child(4)").TextContent);
        Assert.Equal("Owner follow-up", page.Find($"tr[data-outbox-id='{followUp}'] td:nth-child(4)").TextContent);
        Assert.Equal("Deadline reminder", page.Find($"tr[data-outbox-id='{reminder}'] td:nth-child(4)").TextContent);
    }

    [Fact]
    public async Task Render_UnknownRow_WarnsToCheckWithTheRecipientBeforeSendingAgain()
    {
        await EnqueueAsync(await FileCaseAsync(), "Lost in transit", "Body", OutboxState.Unknown);

        var page = Render<OutboxPage>();

        Assert.Contains("may or may not have been delivered; check with the recipient before sending it again",
            page.Find(".outbox-explanation").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_DueMailWaitingForItsDomainsSlot_SaysHowManyWaitAndWhenTheDomainIsNextFree()
    {
        // The context's settings, as if an SMTP server were configured: the pacer reads them on every call.
        var email = Services.GetRequiredService<IOptions<EmailOptions>>().Value;
        email.Smtp.Host = "smtp.example";
        email.Pacing.MessagesPerMinute = 600;
        email.Pacing.PerDomainPerMinute = 60;
        var pacer = Services.GetRequiredService<SendPacer>();
        await EnqueueAsync(await FileCaseAsync(), "Waiting for a slot", "Body");
        Assert.Null(await pacer.TryReserveAsync(["db.example"], Clock.GetUtcNow().UtcDateTime, TestContext.Current.CancellationToken));

        var page = Render<OutboxPage>();

        var notice = page.Find(".outbox-pacing").TextContent;
        Assert.Contains("600 a minute in all, 60 a minute per recipient domain", notice, StringComparison.Ordinal);
        Assert.Contains("1 message due and waiting for a sending slot", notice, StringComparison.Ordinal);
        Assert.Contains("db.example", notice, StringComparison.Ordinal);
        Assert.Contains("next slot at", notice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_PickupFolder_ShowsNoPacing()
    {
        await EnqueueAsync(await FileCaseAsync(), "Not paced", "Body");

        var page = Render<OutboxPage>();

        Assert.Empty(page.FindAll(".outbox-pacing"));
    }

    [Fact]
    public void Render_NoSmtpServer_NamesThePickupFolder()
    {
        var page = Render<OutboxPage>();

        Assert.Contains("No SMTP server is configured", page.Find("[role=note]").TextContent, StringComparison.Ordinal);
        Assert.Contains(PickupDirectory, page.Find("[role=note]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Row_ShowsTheDecodedBodyTheMessageIdAndADownloadLink()
    {
        // Non-ASCII text is quoted-printable in the stored MIME; the page shows it decoded.
        var id = await EnqueueAsync(await FileCaseAsync(), "Exposed database", "Grüße aus Köln,\r\nyour MongoDB answers without a password.\r\n");
        var messageId = await StoredAsync(id, m => m.MessageId);
        Assert.Contains("=C3=BC", System.Text.Encoding.ASCII.GetString(await StoredAsync(id, m => m.Content)), StringComparison.Ordinal);
        var page = Render<OutboxPage>();

        await page.Find($"tr[data-outbox-id='{id}'] button").ClickAsync();

        var text = page.Find("pre.outbox-message").TextContent;
        Assert.Contains("Subject: Exposed database", text, StringComparison.Ordinal);
        Assert.Contains("Grüße aus Köln,", text, StringComparison.Ordinal);
        Assert.Contains(messageId, page.Find(".outbox-detail").TextContent, StringComparison.Ordinal);
        Assert.Equal($"outbox/{id}.eml", page.FindAll("a").Single(a => a.TextContent == "Download .eml").GetAttribute("href"));
    }

    [Fact]
    public async Task Show_BodyWithScript_ShowsTheMarkupAsText()
    {
        const string body = "<script>alert(1)</script><b>bold</b>";
        var id = await EnqueueAsync(await FileCaseAsync(), "Markup", body);
        var page = Render<OutboxPage>();

        await page.Find($"tr[data-outbox-id='{id}'] button").ClickAsync();

        Assert.Contains(body, page.Find("pre.outbox-message").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("script"));
        Assert.Empty(page.FindAll("pre.outbox-message b"));
    }

    private async Task<int> FileCaseAsync()
    {
        var reference = await FileCaseAsync(new CaseForm { Title = "Open MongoDB", Host = "db.example.com" }, Researcher);
        await using var db = CreateDbContext();
        return await db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync(TestContext.Current.CancellationToken);
    }

    private async Task<long> EnqueueAsync(int caseId, string subject, string body, OutboxState state = OutboxState.Due, string? lastError = null,
        OutboxPurpose purpose = OutboxPurpose.OwnerNotification)
    {
        await using var db = CreateDbContext();
        var message = _outbox.Enqueue(db, new OutgoingEmail(["owner@db.example"], subject, body, caseId, purpose));
        message.State = state;
        message.LastError = lastError;
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        // Distinct creation times, so newest-first order is by time and not only by id.
        Clock.Advance(TimeSpan.FromMinutes(1));
        return message.Id;
    }

    private async Task<T> StoredAsync<T>(long id, System.Linq.Expressions.Expression<Func<OutboxMessage, T>> select)
    {
        await using var db = CreateDbContext();
        return await db.OutboxMessages.Where(m => m.Id == id).Select(select).SingleAsync(TestContext.Current.CancellationToken);
    }

    private static List<long> RowIds(IRenderedComponent<OutboxPage> page) =>
        page.FindAll("tr[data-outbox-id]").Select(r => long.Parse(r.GetAttribute("data-outbox-id")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>The page never dispatches; enqueueing only adds rows.</summary>
    private sealed class UnusedJobClient : IBackgroundJobClient
    {
        public string Create(Job job, IState state) => throw new InvalidOperationException("The outbox page does not dispatch jobs.");

        public bool ChangeState(string jobId, IState state, string expectedState) => throw new InvalidOperationException("The outbox page does not dispatch jobs.");
    }
}
