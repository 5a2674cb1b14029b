using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Escalation;

namespace DisclosureDesk.UnitTests.Features.Escalation;

public sealed class EscalationLadderTests
{
    private static readonly DateTime NotifiedAt = new(2026, 11, 2, 9, 30, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Silence = TimeSpan.FromDays(14);

    private static readonly EscalationAuthority[] Directory =
    [
        new() { Id = 1, Kind = AuthorityKind.NationalCert, CountryCode = "NL", Name = "NCSC-NL", Email = "cert@ncsc.example.nl" },
        new() { Id = 2, Kind = AuthorityKind.DataProtectionAuthority, CountryCode = "NL", Name = "Autoriteit Persoonsgegevens", Email = "ap@ap.example.nl" },
        new() { Id = 3, Kind = AuthorityKind.NationalCert, CountryCode = "NL", Name = "Old CERT", Email = "old@cert.example.nl", RetiredAt = NotifiedAt },
        new() { Id = 4, Kind = AuthorityKind.NationalCert, CountryCode = "BE", Name = "CCB", Email = "cert@ccb.example.be" },
    ];

    private static Case Notified(EscalationSteps steps = EscalationLadder.AllRungs, bool abuseContact = true) => new()
    {
        Id = 7,
        Status = CaseStatus.Notified,
        FirstNotifiedAt = NotifiedAt,
        EscalationSteps = steps,
        AffectedCountry = "NL",
        HostingProvider = "Example Hosting B.V.",
        Contacts = abuseContact
            ? [new CaseContact { Name = "Owner", Email = "security@owner.example" }, new CaseContact { Name = "Abuse", Email = "abuse@hosting.example", Source = ContactSource.RdapAbuse }]
            : [new CaseContact { Name = "Owner", Email = "security@owner.example" }],
    };

    [Fact]
    public void Plan_EveryRungWithARecipient_FollowsTheSilenceAfterThePreviousOne()
    {
        var plan = EscalationLadder.Plan(Notified(), Silence, Directory);

        Assert.Equal(LadderState.Climbing, plan.State);
        Assert.Equal([NotifiedAt + Silence, NotifiedAt + Silence * 2, NotifiedAt + Silence * 3], plan.Rungs.Select(r => r.DueAt));
        Assert.Equal(["abuse@hosting.example"], plan.Rungs[0].Recipients);
        Assert.Equal("Example Hosting B.V.", plan.Rungs[0].RecipientName);
        Assert.Equal(["cert@ncsc.example.nl"], plan.Rungs[1].Recipients);
        Assert.Equal(["ap@ap.example.nl"], plan.Rungs[2].Recipients);
    }

    [Fact]
    public void Plan_NobodyForARung_SkipsItWithTheReasonAndTheNextFollowsAtOnce()
    {
        var plan = EscalationLadder.Plan(Notified(abuseContact: false), Silence, Directory);

        Assert.Empty(plan.Rungs[0].Recipients);
        Assert.Contains("no abuse contact", plan.Rungs[0].Missing, StringComparison.Ordinal);
        Assert.Equal([NotifiedAt + Silence, NotifiedAt + Silence, NotifiedAt + Silence * 2], plan.Rungs.Select(r => r.DueAt));
        Assert.Equal([EscalationSteps.HostingProvider, EscalationSteps.NationalCert], plan.DueBy(NotifiedAt + Silence).Select(r => r.Step));
    }

    [Fact]
    public void DueBy_SeveralRungsOverdue_ReturnsOnlyUpToTheFirstEmail()
    {
        var plan = EscalationLadder.Plan(Notified(), Silence, Directory);

        Assert.Empty(plan.DueBy(NotifiedAt + Silence - TimeSpan.FromSeconds(1)));
        Assert.Equal([EscalationSteps.HostingProvider], plan.DueBy(NotifiedAt + Silence * 10).Select(r => r.Step));
    }

    [Fact]
    public void Plan_AfterTheFirstRung_CountsTheSilenceFromWhenItWasSent()
    {
        var @case = Notified();
        @case.EscalationReached = EscalationSteps.HostingProvider;
        @case.EscalationSilenceSince = NotifiedAt + TimeSpan.FromDays(16);
        @case.Status = CaseStatus.Escalated;

        var plan = EscalationLadder.Plan(@case, Silence, Directory);

        Assert.Equal([null, NotifiedAt + TimeSpan.FromDays(30), NotifiedAt + TimeSpan.FromDays(44)], plan.Rungs.Select(r => r.DueAt));
        Assert.True(plan.Rungs[0].Reached);
    }

    [Fact]
    public void Plan_RetiredEntriesAndOtherCountries_AreNotWrittenTo()
    {
        var @case = Notified();
        @case.AffectedCountry = "DE";

        var plan = EscalationLadder.Plan(@case, Silence, Directory);

        Assert.Equal(["cert@ncsc.example.nl"], EscalationLadder.Plan(Notified(), Silence, Directory).Rungs[1].Recipients);
        Assert.Empty(plan.Rungs[1].Recipients);
        Assert.Equal("The escalation directory has no national CERT for DE.", plan.Rungs[1].Missing);
    }

    [Fact]
    public void Plan_PermanentlyBouncingAbuseAddress_IsNotARecipient()
    {
        var @case = Notified();
        @case.Contacts[1].Bouncing = BounceSeverity.Permanent;

        Assert.Empty(EscalationLadder.Plan(@case, Silence, Directory).Rungs[0].Recipients);
    }

    [Fact]
    public void Plan_RungsNotClimbed_HaveNoDateAndDoNotDelayTheOthers()
    {
        var plan = EscalationLadder.Plan(Notified(EscalationSteps.NationalCert), Silence, Directory);

        Assert.Equal([null, NotifiedAt + Silence, null], plan.Rungs.Select(r => r.DueAt));
        Assert.Equal([false, true, false], plan.Rungs.Select(r => r.Climbed));
    }

    [Theory]
    [InlineData(EscalationSteps.None, null, null, CaseStatus.Notified, LadderState.Off)]
    [InlineData(EscalationLadder.AllRungs, "2026-11-05", null, CaseStatus.Notified, LadderState.Answered)]
    [InlineData(EscalationLadder.AllRungs, null, "2026-11-05", CaseStatus.Notified, LadderState.Paused)]
    [InlineData(EscalationLadder.AllRungs, null, null, CaseStatus.Mitigated, LadderState.CaseMovedOn)]
    [InlineData(EscalationLadder.AllRungs, null, null, CaseStatus.NoResponse, LadderState.Climbing)]
    [InlineData(EscalationLadder.AllRungs, null, null, CaseStatus.Escalated, LadderState.Climbing)]
    public void StateOf_Case_SaysWhetherTheLadderClimbs(EscalationSteps steps, string? answeredOn, string? pausedOn, CaseStatus status, LadderState expected)
    {
        var @case = Notified(steps);
        @case.Status = status;
        @case.FirstResponseAt = answeredOn is null ? null : DateTime.Parse(answeredOn, System.Globalization.CultureInfo.InvariantCulture);
        @case.FollowUpsPausedAt = pausedOn is null ? null : DateTime.Parse(pausedOn, System.Globalization.CultureInfo.InvariantCulture);

        var plan = EscalationLadder.Plan(@case, Silence, Directory);

        Assert.Equal(expected, plan.State);
        if (expected != LadderState.Climbing)
        {
            Assert.All(plan.Rungs, r => Assert.Null(r.DueAt));
        }
    }

    [Fact]
    public void StateOf_EveryClimbedRungReached_IsFinished()
    {
        var @case = Notified(EscalationSteps.HostingProvider | EscalationSteps.NationalCert);
        @case.EscalationReached = EscalationSteps.NationalCert;

        Assert.Equal(LadderState.Finished, EscalationLadder.StateOf(@case));
    }

    [Theory]
    [InlineData(DataCategories.Location, EscalationLadder.AllRungs)]
    [InlineData(DataCategories.Credentials, EscalationSteps.HostingProvider | EscalationSteps.NationalCert)]
    [InlineData(DataCategories.None, EscalationSteps.HostingProvider | EscalationSteps.NationalCert)]
    public void DefaultSteps_DataProtectionAuthority_OnlyForDataAboutPeople(DataCategories data, EscalationSteps expected) =>
        Assert.Equal(expected, EscalationLadder.DefaultSteps(new Case { DataCategories = data }));
}
