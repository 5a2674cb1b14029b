using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Notifications;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.IntegrationTests.Features.Responses;

/// <summary>The starting point of every response test: a case whose owner was just notified, its follow-ups scheduled.</summary>
internal static class NotifiedCases
{
    /// <summary>A case whose owner was notified at the given contacts; returns the notification's Message-ID.</summary>
    public static async Task<(TestUser Lead, string Reference, string MessageId)> NotifiedCaseAsync(this DisclosureDeskFactory app, string label, params string[] emails)
    {
        var lead = await app.CreateResearcherAsync(label);
        var reference = await app.CreateCaseAsync(lead, form => form.OrganizationName = "Northwind Logistics");
        foreach (var email in emails)
        {
            var added = await app.ExecuteAsync<ManageCaseContacts.Handler, CommandResult>(h =>
                h.AddAsync(reference, new ManageCaseContacts.ContactForm { Name = email.Split('@')[0], Email = email }, lead.Current));
            Assert.True(added.Succeeded, added.Summary);
        }
        foreach (var status in new[] { CaseStatus.Triaged, CaseStatus.OwnerIdentified })
        {
            var moved = await app.ExecuteAsync<ChangeCaseStatus.Handler, CommandResult>(h =>
                h.HandleAsync(reference, new ChangeCaseStatus.Command { NewStatus = status }, lead.Current));
            Assert.True(moved.Succeeded, moved.Summary);
        }
        var caseId = await app.ExecuteDbContextAsync(db => db.Cases.Where(c => c.Reference == reference).Select(c => c.Id).SingleAsync());
        var contactIds = await app.ExecuteDbContextAsync(db => db.CaseContacts.Where(c => c.CaseId == caseId).Select(c => c.Id).ToListAsync());
        var form = new NotifyOwner.Form { ContactIds = [.. contactIds], Subject = $"[{reference}] Exposed database", Body = "Hello" };
        var sent = await app.ExecuteAsync<NotifyOwner.Handler, CommandResult>(h => h.SendAsync(reference, form, lead.Current));
        Assert.True(sent.Succeeded, sent.Summary);
        var messageId = await app.ExecuteDbContextAsync(db => db.OutboxMessages
            .Where(m => m.CaseId == caseId && m.Purpose == OutboxPurpose.OwnerNotification).Select(m => m.MessageId).SingleAsync());
        return (lead, reference, messageId);
    }
}
