using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Notifications;
using Ical.Net;

namespace DisclosureDesk.UnitTests.Features.Export;

/// <summary>The iCalendar export read back with Ical.Net, the way a calendar application would import it.</summary>
public sealed class IcsCaseExportTests
{
    private static readonly DateTime NotifiedAt = new(2026, 3, 14, 9, 30, 0, DateTimeKind.Utc);

    [Fact]
    public void Render_FullProfileOfFixedCase_DeadlinesAllDayAndPendingFollowUpAtItsUtcInstant()
    {
        var calendar = Parse(ExportFixtures.GoldenDocument(ExportProfile.Full));

        Assert.Equal(IcsCaseExport.ProductId, calendar.ProductId);
        Assert.Equal(
            ["DD-2026-00001.deadline@disclosuredesk", "DD-2026-00001.publish-after@disclosuredesk", "DD-2026-00001.follow-up.42@disclosuredesk"],
            calendar.Events.Select(e => e.Uid));
        var fixBy = calendar.Events[0]!;
        // Notified 2026-03-15 09:30 UTC under 90 days; fixed on 2026-04-02, so published 30 days after the fix.
        Assert.True(fixBy.IsAllDay);
        Assert.Equal(new DateOnly(2026, 6, 13), fixBy.DtStart!.Date);
        Assert.Equal(new DateOnly(2026, 6, 14), fixBy.DtEnd!.Date);
        Assert.Equal("[DD-2026-00001] Fix-by deadline: Open Elasticsearch at 203.0.113.10 with patient records", fixBy.Summary);
        Assert.Equal(new DateOnly(2026, 5, 2), calendar.Events[1]!.DtStart!.Date);
        var followUp = calendar.Events[2]!;
        Assert.False(followUp.IsAllDay);
        Assert.True(followUp.DtStart!.IsUtc);
        Assert.Equal(new DateTime(2026, 3, 29, 9, 30, 0, DateTimeKind.Utc), followUp.DtStart.AsUtc);
        Assert.Contains("To: jan.devries@clinic.example", followUp.Description, StringComparison.Ordinal);
        Assert.All(calendar.Events, e => Assert.Equal(ExportFixtures.GeneratedAt, e.DtStamp!.AsUtc));
        Assert.All(calendar.Events, e => Assert.Equal("TRANSPARENT", e.Transparency));
    }

    [Fact]
    public void Render_PublicProfile_OnlyDeadlinesUnderTheMaskedTitleWithoutAddresses()
    {
        var ics = Render(ExportFixtures.GoldenDocument(ExportProfile.Public));
        var calendar = Calendar.Load(ics)!;

        Assert.Equal(["DD-2026-00001.deadline@disclosuredesk", "DD-2026-00001.publish-after@disclosuredesk"], calendar.Events.Select(e => e.Uid));
        Assert.Equal("[DD-2026-00001] Fix-by deadline: Open Elasticsearch at 203.0.113.x with patient records", calendar.Events[0]!.Summary);
        Assert.DoesNotContain("203.0.113.10", Unfolded(ics), StringComparison.Ordinal);
        Assert.DoesNotContain("clinic.example", Unfolded(ics), StringComparison.Ordinal);
        Assert.DoesNotContain("Policy:", Unfolded(ics), StringComparison.Ordinal);
    }

    [Fact]
    public void For_OpenCaseByProfile_OwnerHasNoGraceWindowNorRecipientsAndPublicNoFollowUps()
    {
        var @case = OpenCase();
        var followUps = new[] { FollowUp(5, NotifiedAt.AddDays(7)), FollowUp(6, NotifiedAt.AddDays(14), OutboxState.Cancelled) };

        var full = CaseCalendar.For(@case, @case.Title, followUps, ExportProfile.Full, TimeZoneInfo.Utc);
        var owner = CaseCalendar.For(@case, @case.Title, followUps, ExportProfile.Owner, TimeZoneInfo.Utc);
        var @public = CaseCalendar.For(@case, @case.Title, followUps, ExportProfile.Public, TimeZoneInfo.Utc);

        Assert.Equal(
            ["DD-2026-00009.deadline@disclosuredesk", "DD-2026-00009.grace-window@disclosuredesk", "DD-2026-00009.no-response@disclosuredesk", "DD-2026-00009.follow-up.5@disclosuredesk"],
            full.Select(i => i.Uid));
        Assert.Equal(
            ["DD-2026-00009.deadline@disclosuredesk", "DD-2026-00009.no-response@disclosuredesk", "DD-2026-00009.follow-up.5@disclosuredesk"],
            owner.Select(i => i.Uid));
        Assert.Equal(["DD-2026-00009.deadline@disclosuredesk"], @public.Select(i => i.Uid));
        Assert.Contains("owner@shop.example", full[^1].Description, StringComparison.Ordinal);
        Assert.All(owner, i => Assert.DoesNotContain("@shop.example", i.Description, StringComparison.Ordinal));
        Assert.Equal(new DateOnly(2026, 4, 11), owner[1].Day);
    }

    [Fact]
    public void For_CaseNotYetNotified_IsEmpty()
    {
        var @case = OpenCase();
        @case.FirstNotifiedAt = null;
        @case.DisclosurePolicyId = null;

        Assert.Empty(CaseCalendar.For(@case, @case.Title, [FollowUp(5, NotifiedAt.AddDays(7))], ExportProfile.Full, TimeZoneInfo.Utc));
    }

    [Fact]
    public void Render_SameCaseLaterAfterTheDeadlineMoved_SameUidsNewDateAndHigherSequence()
    {
        var @case = OpenCase();
        var before = Parse(Document(@case, ExportFixtures.GeneratedAt));
        @case.GraceGrantedAt = NotifiedAt.AddDays(80);
        @case.LastEventSequence++;
        var after = Parse(Document(@case, ExportFixtures.GeneratedAt.AddDays(1)));

        var deadlineBefore = before.Events.Single(e => e.Uid == "DD-2026-00009.deadline@disclosuredesk");
        var deadlineAfter = after.Events.Single(e => e.Uid == "DD-2026-00009.deadline@disclosuredesk");
        Assert.Equal(new DateOnly(2026, 6, 12), deadlineBefore.DtStart!.Date);
        Assert.Equal(new DateOnly(2026, 6, 26), deadlineAfter.DtStart!.Date);
        Assert.True(deadlineAfter.Sequence > deadlineBefore.Sequence);
        Assert.Contains("(grace period ends)", deadlineAfter.Summary, StringComparison.Ordinal);
        Assert.Equal(ExportFixtures.GeneratedAt.AddDays(1), deadlineAfter.DtStamp!.AsUtc);
    }

    [Fact]
    public void For_ReaderInAmsterdamAcrossTheSpringForward_FollowUpKeepsItsUtcInstantAndDeadlineFallsOnTheLocalDay()
    {
        // Europe/Amsterdam moves from UTC+1 to UTC+2 at 01:00 UTC on 2026-03-29.
        var amsterdam = TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam");
        var @case = OpenCase();
        @case.FirstNotifiedAt = new DateTime(2026, 3, 14, 22, 30, 0, DateTimeKind.Utc);
        var dueAfterTheJump = new DateTime(2026, 3, 29, 1, 30, 0, DateTimeKind.Utc);

        var items = CaseCalendar.For(@case, @case.Title, [FollowUp(5, dueAfterTheJump)], ExportProfile.Owner, amsterdam);
        var calendar = Parse(Document(@case, ExportFixtures.GeneratedAt, [FollowUp(5, dueAfterTheJump)], amsterdam));

        // 2026-06-12 22:30 UTC is 00:30 on 2026-06-13 in Amsterdam: the day the case page shows there.
        Assert.Equal(new DateOnly(2026, 6, 13), items[0].Day);
        var followUp = calendar.Events.Single(e => e.Uid == "DD-2026-00009.follow-up.5@disclosuredesk");
        Assert.True(followUp.DtStart!.IsUtc);
        Assert.Equal(dueAfterTheJump, followUp.DtStart.AsUtc);
        Assert.Contains("DTSTART:20260329T013000Z", Unfolded(Render(Document(@case, ExportFixtures.GeneratedAt, [FollowUp(5, dueAfterTheJump)], amsterdam))), StringComparison.Ordinal);
    }

    private static Case OpenCase() => new()
    {
        Id = 9,
        Reference = "DD-2026-00009",
        Title = "Open Redis with order history",
        Status = CaseStatus.Notified,
        Host = "shop.example",
        Port = 6379,
        FirstNotifiedAt = NotifiedAt,
        DisclosurePolicy = "Google Project Zero (90+30 days)",
        DisclosurePolicyId = "project-zero",
        DisclosureDays = 90,
        NoResponseAt = NotifiedAt.AddDays(28),
        CreatedAt = NotifiedAt.AddDays(-1),
        LeadId = "user-ada",
        LastEventSequence = 4,
    };

    private static OutboxMessage FollowUp(long id, DateTime dueAt, OutboxState state = OutboxState.Scheduled) => new()
    {
        Id = id, CaseId = 9, Purpose = OutboxPurpose.OwnerFollowUp, State = state, To = "owner@shop.example",
        Subject = "[DD-2026-00009] Reminder", DueAt = dueAt,
    };

    private static CaseExportDocument Document(Case @case, DateTime generatedAt, IEnumerable<OutboxMessage>? followUps = null, TimeZoneInfo? zone = null)
    {
        var document = CaseExportDocument.Create(ExportProfile.Full, generatedAt, "Ada Researcher", @case, ExportFixtures.Team, [], [], []);
        return document with { Calendar = CaseCalendar.For(@case, document.Case.Title, followUps ?? [FollowUp(5, NotifiedAt.AddDays(7))], ExportProfile.Full, zone ?? TimeZoneInfo.Utc) };
    }

    private static string Render(CaseExportDocument document)
    {
        using var stream = new MemoryStream();
        IcsCaseExport.Write(document, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static Calendar Parse(CaseExportDocument document) => Calendar.Load(Render(document))!;

    private static string Unfolded(string ics) => ics.Replace("\r\n ", "", StringComparison.Ordinal);
}
