using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Dashboard;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses.Mail;
using DisclosureDesk.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.ComponentTests.Features.Dashboard;

public sealed class DashboardActionListTests : ComponentTestBase
{
    private readonly Outbox _outbox;

    public DashboardActionListTests()
    {
        _outbox = new Outbox(Options.Create(new EmailOptions()), Clock, new NoJobClient());
    }

    [Fact]
    public async Task Render_ResearchersCasesNeedingAction_ListsEachWithALinkToItsCase()
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var deadline = await CaseAsync(Researcher, "Deadline soon", c =>
        {
            c.Status = CaseStatus.Notified;
            c.DisclosureDeadlineAt = now.AddDays(3);
        });
        var followUp = await CaseAsync(Researcher, "Follow-up today", c => c.Status = CaseStatus.Notified);
        await FollowUpAsync(followUp, "Second notice", now.AddHours(2));
        var bounced = await CaseAsync(Researcher, "Bouncing contact", c =>
        {
            c.Status = CaseStatus.Notified;
            c.Contacts.Add(new CaseContact
            {
                Name = "Owner", Email = "owner@bounce.example", AddedAt = now.AddDays(-3),
                Bouncing = BounceSeverity.Permanent, BouncedAt = now.AddDays(-1), BounceDetail = "550 5.1.1 user unknown",
            });
        });
        var silent = await CaseAsync(Researcher, "Owner silent", c => c.Status = CaseStatus.NoResponse);
        await CaseAsync(Researcher, "Nothing to do", c => c.Status = CaseStatus.Triaged);

        var list = Render<DashboardActionList>();

        Assert.Equal(
            [(nameof(DashboardActions.ActionKind.DeadlineSoon), deadline), (nameof(DashboardActions.ActionKind.Bounce), bounced),
             (nameof(DashboardActions.ActionKind.FollowUpDue), followUp), (nameof(DashboardActions.ActionKind.NoResponse), silent)],
            list.FindAll(".dashboard-action").Select(i => (i.GetAttribute("data-action-kind")!, i.QuerySelector("a")!.GetAttribute("href")!["cases/".Length..])));
        Assert.Contains("Disclosure deadline in 3 days", Item(list, deadline).TextContent, StringComparison.Ordinal);
        Assert.Contains("Follow-up due today: Second notice", Item(list, followUp).TextContent, StringComparison.Ordinal);
        Assert.Contains("Mail to owner@bounce.example bounced (permanent): 550 5.1.1 user unknown", Item(list, bounced).TextContent, StringComparison.Ordinal);
        Assert.Contains("Owner silent", Item(list, silent).TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Nothing to do", list.Markup, StringComparison.Ordinal);
        Assert.Empty(list.FindAll(".dashboard-untriaged"));
    }

    [Fact]
    public async Task Render_EscalationEmailFailed_IsListedAsAProblemOnItsCase()
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var escalated = await CaseAsync(Researcher, "Escalated to the CERT", c => c.Status = CaseStatus.Escalated);
        await FollowUpAsync(escalated, "Request for coordination", now.AddHours(-3), OutboxState.Failed, OutboxPurpose.Escalation);

        var list = Render<DashboardActionList>();

        Assert.Contains("Email failed: Request for coordination", Item(list, escalated).TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_LadderClimbing_ListsTheNextEscalationWithinAWeekAndNotALadderThatIsOff()
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var notified = now.AddDays(-10);
        void Notified(Case c, DisclosureDesk.Features.Escalation.EscalationSteps steps)
        {
            c.Status = CaseStatus.Notified;
            c.FirstNotifiedAt = notified;
            c.EscalationSteps = steps;
            c.Contacts.Add(new CaseContact { Name = "Abuse desk", Email = "abuse@hosting.example", Role = "Abuse contact", AddedAt = notified });
        }
        var climbing = await CaseAsync(Researcher, "Owner silent for ten days", c => Notified(c, DisclosureDesk.Features.Escalation.EscalationSteps.HostingProvider));
        var off = await CaseAsync(Researcher, "Ladder switched off", c => Notified(c, DisclosureDesk.Features.Escalation.EscalationSteps.None));

        var list = Render<DashboardActionList>();

        var item = Item(list, climbing);
        Assert.Equal(nameof(DashboardActions.ActionKind.EscalationSoon), item.GetAttribute("data-action-kind"));
        Assert.Contains("Escalation to the hosting provider (abuse@hosting.example) unless someone answers", item.TextContent, StringComparison.Ordinal);
        Assert.Contains(notified.AddDays(14).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), item.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Ladder switched off", list.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_AnotherResearchersCases_AreNotShown()
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var theirs = await CaseAsync(OtherResearcher, "Someone else's deadline", c =>
        {
            c.Status = CaseStatus.NoResponse;
            c.DisclosureDeadlineAt = now.AddDays(1);
        });
        await FollowUpAsync(theirs, "Their follow-up", now.AddHours(1));
        var mine = await CaseAsync(Researcher, "My silent owner", c => c.Status = CaseStatus.NoResponse);

        var list = Render<DashboardActionList>();

        Assert.Equal([$"cases/{mine}"], list.FindAll(".dashboard-action a").Select(a => a.GetAttribute("href")));
        Assert.DoesNotContain(theirs, list.Markup, StringComparison.Ordinal);
        Assert.DoesNotContain("Someone else's deadline", list.Markup, StringComparison.Ordinal);

        SignInAs(Administrator);
        var administrators = Render<DashboardActionList>();

        Assert.Equal(3, administrators.FindAll($".dashboard-action a[href='cases/{theirs}']").Count);
    }

    [Fact]
    public async Task Render_UserInAmsterdam_CountsTodayAndShowsTimesInTheirZone()
    {
        SignInAs(Researcher, "Europe/Amsterdam");
        // 09:30 UTC on 14 March 2031 is 10:30 in Amsterdam (UTC+1); its day ends at 23:00 UTC.
        var reference = await CaseAsync(Researcher, "Two follow-ups", c =>
        {
            c.Status = CaseStatus.Notified;
            c.DisclosureDeadlineAt = new DateTime(2031, 3, 17, 9, 30, 0, DateTimeKind.Utc);
        });
        await FollowUpAsync(reference, "Late tonight", new DateTime(2031, 3, 14, 22, 0, 0, DateTimeKind.Utc));
        await FollowUpAsync(reference, "Just after midnight", new DateTime(2031, 3, 14, 23, 30, 0, DateTimeKind.Utc));

        var list = Render<DashboardActionList>();

        var followUps = list.FindAll("[data-action-kind=FollowUpDue]");
        Assert.Contains("Late tonight", Assert.Single(followUps).TextContent, StringComparison.Ordinal);
        Assert.Equal("2031-03-14 23:00 UTC+01:00", followUps[0].QuerySelector("time")!.TextContent);
        Assert.Equal("2031-03-17 10:30 UTC+01:00", list.Find("[data-action-kind=DeadlineSoon] time").TextContent);
    }

    [Fact]
    public async Task Render_OverdueFollowUpAndPassedDeadline_SayTheyAreLate()
    {
        var now = Clock.GetUtcNow().UtcDateTime;
        var reference = await CaseAsync(Researcher, "Late on everything", c =>
        {
            c.Status = CaseStatus.Notified;
            c.DisclosureDeadlineAt = now.AddDays(-2);
        });
        await FollowUpAsync(reference, "Stuck notice", now.AddDays(-1), OutboxState.Due);

        var list = Render<DashboardActionList>();

        Assert.Contains("Overdue follow-up: Stuck notice", list.Find("[data-action-kind=FollowUpDue]").TextContent, StringComparison.Ordinal);
        Assert.Contains("Disclosure deadline passed 2 days ago", list.Find("[data-action-kind=DeadlineSoon]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_UnmatchedMailboxMessages_LinkToTriageWithTheirCount()
    {
        await using (var db = CreateDbContext())
        {
            db.InboundMessages.AddRange(
                Inbound("a", InboundState.Unmatched),
                Inbound("b", InboundState.Quarantined),
                Inbound("c", InboundState.Discarded));
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var list = Render<DashboardActionList>();

        var triage = list.Find("a.dashboard-untriaged");
        Assert.Equal("triage", triage.GetAttribute("href"));
        Assert.Contains("2 messages from the mailbox match no case", triage.TextContent, StringComparison.Ordinal);
        Assert.Empty(list.FindAll(".dashboard-actions-empty"));
    }

    [Fact]
    public async Task Render_NothingDue_SaysSo()
    {
        await CaseAsync(Researcher, "Quiet case", c => c.Status = CaseStatus.Triaged);
        // A bounce of a closed case needs nothing more.
        await CaseAsync(Researcher, "Closed with a bounce", c =>
        {
            c.Status = CaseStatus.Closed;
            c.ClosedAt = Clock.GetUtcNow().UtcDateTime;
            c.Contacts.Add(new CaseContact
            {
                Name = "Owner", Email = "owner@closed.example", AddedAt = Clock.GetUtcNow().UtcDateTime,
                Bouncing = BounceSeverity.Permanent, BouncedAt = Clock.GetUtcNow().UtcDateTime,
            });
        });

        var list = Render<DashboardActionList>();

        Assert.Contains("Nothing needs your attention today", list.Find(".dashboard-actions-empty").TextContent, StringComparison.Ordinal);
        Assert.Empty(list.FindAll(".dashboard-action"));
    }

    private static AngleSharp.Dom.IElement Item(IRenderedComponent<DashboardActionList> list, string reference) =>
        list.FindAll(".dashboard-action").Single(i => i.QuerySelector("a")!.GetAttribute("href") == $"cases/{reference}");

    /// <summary>Files a case through the app, then gives it the state a test needs as if its history had happened.</summary>
    private async Task<string> CaseAsync(TestUser lead, string title, Action<Case> state)
    {
        var reference = await FileCaseAsync(new CaseForm { Title = title, Host = "db.example.com" }, lead);
        await using var db = CreateDbContext();
        var stored = await db.Cases.Include(c => c.Contacts).SingleAsync(c => c.Reference == reference, TestContext.Current.CancellationToken);
        state(stored);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return reference;
    }

    private async Task FollowUpAsync(string reference, string subject, DateTime dueAt, OutboxState state = OutboxState.Scheduled,
        OutboxPurpose purpose = OutboxPurpose.OwnerFollowUp)
    {
        await using var db = CreateDbContext();
        var caseId = await db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync(TestContext.Current.CancellationToken);
        var message = _outbox.Enqueue(db, new OutgoingEmail(["owner@db.example"], subject, "Body", caseId, purpose), dueAt);
        // The outbox never schedules into the past; a row left behind by a stalled delivery is set so by hand.
        message.DueAt = message.NextAttemptAt = dueAt;
        message.State = state;
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }

    private InboundMessage Inbound(string key, InboundState state) => new()
    {
        DedupKey = key,
        Folder = "INBOX",
        UidValidity = 1,
        Uid = key[0],
        From = "someone@example.org",
        Subject = "Re: your report",
        ReceivedAt = Clock.GetUtcNow().UtcDateTime,
        State = state,
    };
}
