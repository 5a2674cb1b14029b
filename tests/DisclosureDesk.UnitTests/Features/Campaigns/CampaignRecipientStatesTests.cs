using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Notifications.Templates;
using static DisclosureDesk.Features.Campaigns.CampaignRecipientState;

namespace DisclosureDesk.UnitTests.Features.Campaigns;

public class CampaignRecipientStatesTests
{
    [Theory]
    [InlineData(Pending, CampaignEvent.Queued, Scheduled)]
    [InlineData(Scheduled, CampaignEvent.Delivered, Sent)]
    [InlineData(Scheduled, CampaignEvent.DeliveryFailed, Bounced)]
    [InlineData(Sent, CampaignEvent.Bounced, Bounced)]
    [InlineData(Sent, CampaignEvent.AutoReplied, AutoReplied)]
    [InlineData(AutoReplied, CampaignEvent.Replied, Replied)]
    [InlineData(Bounced, CampaignEvent.Replied, Replied)]
    [InlineData(Sent, CampaignEvent.FollowUpsExhausted, NoResponse)]
    [InlineData(AutoReplied, CampaignEvent.FollowUpsExhausted, NoResponse)]
    [InlineData(NoResponse, CampaignEvent.Replied, Replied)]
    [InlineData(Replied, CampaignEvent.MarkedMitigated, Mitigated)]
    [InlineData(NoAddress, CampaignEvent.AddressCorrected, Pending)]
    [InlineData(Bounced, CampaignEvent.AddressCorrected, Pending)]
    public void Next_EventThatMoves_GivesTheNewState(CampaignRecipientState from, CampaignEvent happened, CampaignRecipientState to) =>
        Assert.Equal(to, CampaignRecipientStates.Next(from, happened));

    [Theory]
    [InlineData(Replied, CampaignEvent.Delivered)]
    [InlineData(Replied, CampaignEvent.Bounced)]
    [InlineData(Replied, CampaignEvent.AutoReplied)]
    [InlineData(Mitigated, CampaignEvent.Replied)]
    [InlineData(Mitigated, CampaignEvent.DeliveryFailed)]
    [InlineData(AutoReplied, CampaignEvent.Delivered)]
    [InlineData(Sent, CampaignEvent.Queued)]
    [InlineData(Pending, CampaignEvent.Replied)]
    [InlineData(NoAddress, CampaignEvent.MarkedMitigated)]
    [InlineData(Replied, CampaignEvent.FollowUpsExhausted)]
    [InlineData(Sent, CampaignEvent.AddressCorrected)]
    public void Next_LateOrMeaninglessEvent_LeavesTheStateAsItIs(CampaignRecipientState from, CampaignEvent happened) =>
        Assert.Equal(from, CampaignRecipientStates.Next(from, happened));

    [Fact]
    public void EndsFollowUps_AnsweredDeadOrFixed_TrueButNotForAnAutomaticReply()
    {
        Assert.True(CampaignRecipientStates.EndsFollowUps(Replied));
        Assert.True(CampaignRecipientStates.EndsFollowUps(Bounced));
        Assert.True(CampaignRecipientStates.EndsFollowUps(Mitigated));
        Assert.False(CampaignRecipientStates.EndsFollowUps(AutoReplied));
        Assert.False(CampaignRecipientStates.EndsFollowUps(Sent));
    }

    [Fact]
    public void Parse_ListWithHeaderNoAddressAndBadLines_ReturnsEntriesAndNamesEachBadLine()
    {
        var (entries, errors) = CampaignRecipientList.Parse(
            "email,host,port,name\nSec@Example.org, DB.example.org, 27017, Example Org\n, 2001:db8::1, 6379\nbad, 192.0.2.1, 80\nx@example.org, 192.0.2.1, 70000\nx@example.org, 192.0.2.1");

        Assert.Equal(2, entries.Count);
        Assert.Equal(("Sec@Example.org", "Example Org", "db.example.org:27017"), (entries[0].Email, entries[0].Name, entries[0].Endpoint));
        Assert.Equal((null, "[2001:db8::1]:6379"), (entries[1].Email, entries[1].Endpoint));
        Assert.Equal(3, errors.Count);
        Assert.StartsWith("Line 4:", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("Line 5:", errors[1], StringComparison.Ordinal);
        Assert.StartsWith("Line 6:", errors[2], StringComparison.Ordinal);
    }

    [Fact]
    public void KeyOf_SameAddressInAnyCase_IsOneRecipientAndAFindingWithoutAddressIsKeyedByHost()
    {
        Assert.Equal(CampaignRecipientList.KeyOf("Sec@Example.org", "a"), CampaignRecipientList.KeyOf("sec@example.org", "b"));
        Assert.Equal("host:db.example.org", CampaignRecipientList.KeyOf(null, "DB.example.org"));
        Assert.Null(CampaignRecipientList.NormalizeAddress("Name <a@example.org>"));
        Assert.Equal("a@example.org", CampaignRecipientList.NormalizeAddress(" mailto:a@example.org "));
    }

    [Theory]
    [InlineData(EmailTemplateId.CampaignNotification)]
    [InlineData(EmailTemplateId.CampaignFollowUp)]
    public void DefaultSource_CampaignTemplates_Validate(EmailTemplateId id) =>
        Assert.True(TemplateValidator.Validate(id, EmailTemplateCatalog.DefaultSource(id)).IsValid);
}
