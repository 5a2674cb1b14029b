using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace DisclosureDesk.EndToEndTests.Pages;

/// <summary>A case's own page at /cases/{id}: its facts, status, timeline and audit-chain check.</summary>
public sealed partial class CasePage
{
    private readonly IPage _page;

    private CasePage(IPage page, string reference)
    {
        _page = page;
        Reference = reference;
    }

    /// <summary>The case id, taken from the address the page was shown at.</summary>
    public string Reference { get; }

    public ILocator Heading => _page.GetByRole(AriaRole.Heading, new() { Level = 1 });

    public ILocator StatusPanel => _page.GetByRole(AriaRole.Region, new() { Name = "Status", Exact = true });

    public ILocator TimelineEvents =>
        _page.GetByRole(AriaRole.List, new() { Name = "Case events, newest first", Exact = true }).GetByRole(AriaRole.Listitem);

    public ILocator ContactsPanel => _page.GetByRole(AriaRole.Region, new() { Name = "Owner and contacts", Exact = true });

    public ILocator NotificationPanel => _page.GetByRole(AriaRole.Region, new() { Name = "Notification", Exact = true });

    public ILocator ResponsesPanel => _page.GetByRole(AriaRole.Region, new() { Name = "Responses", Exact = true });

    public ILocator EvidencePanel => _page.GetByRole(AriaRole.Region, new() { Name = "Evidence", Exact = true });

    public ILocator EscalationPanel => _page.GetByRole(AriaRole.Region, new() { Name = "Escalation", Exact = true });

    public ILocator ExportPanel => _page.GetByRole(AriaRole.Region, new() { Name = "Export", Exact = true });

    public ILocator AuditChainStatus => _page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Audit chain" });

    /// <summary>Waits until <paramref name="page"/> shows a case and its circuit is live.</summary>
    public static async Task<CasePage> ShownAsync(IPage page)
    {
        await Assertions.Expect(page).ToHaveURLAsync(CaseAddress());
        var casePage = new CasePage(page, CaseAddress().Match(page.Url).Groups["reference"].Value);
        await BlazorCircuit.WaitUntilInteractiveAsync(casePage.StatusPanel);
        return casePage;
    }

    public async Task ChangeStatusAsync(string newStatus)
    {
        await StatusPanel.GetByLabel("Move to", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = newStatus });
        await StatusPanel.GetByRole(AriaRole.Button, new() { Name = "Change status", Exact = true }).ClickAsync();
    }

    public async Task AddContactAsync(string name, string email, string? role = null)
    {
        await ContactsPanel.GetByText("Add a contact", new() { Exact = true }).ClickAsync();
        await ContactsPanel.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await ContactsPanel.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        if (role is not null)
        {
            await ContactsPanel.GetByLabel("Role", new() { Exact = true }).FillAsync(role);
        }
        await ContactsPanel.GetByRole(AriaRole.Button, new() { Name = "Add contact", Exact = true }).ClickAsync();
        await Assertions.Expect(ContactsPanel.GetByText(email)).ToBeVisibleAsync();
    }

    /// <summary>Drafts the first notification to every contact under the default policy and sends it unedited.</summary>
    public async Task NotifyOwnerAsync()
    {
        await NotificationPanel.GetByRole(AriaRole.Button, new() { Name = "Draft notification", Exact = true }).ClickAsync();
        await Assertions.Expect(NotificationPanel.GetByLabel("Subject", new() { Exact = true })).ToHaveValueAsync(new Regex($"^\\[{Reference}\\]"));
        await NotificationPanel.GetByRole(AriaRole.Button, new() { Name = "Send notification", Exact = true }).ClickAsync();
    }

    /// <summary>Logs an answer from the owner, at the time the form proposes (now).</summary>
    public async Task LogResponseAsync(string channel, string meaning, string respondedBy, string summary, FilePayload? attachment = null)
    {
        await ResponsesPanel.GetByText("Log a response", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(ResponsesPanel.GetByLabel("When", new() { Exact = true })).Not.ToHaveValueAsync("");
        await ResponsesPanel.GetByLabel("What it means", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = meaning });
        await ResponsesPanel.GetByLabel("Channel", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = channel });
        await ResponsesPanel.GetByLabel("Who responded", new() { Exact = true }).FillAsync(respondedBy);
        await ResponsesPanel.GetByLabel("Summary", new() { Exact = true }).FillAsync(summary);
        if (attachment is not null)
        {
            await ResponsesPanel.GetByLabel("Attachments").SetInputFilesAsync(attachment);
        }
        await ResponsesPanel.GetByRole(AriaRole.Button, new() { Name = "Log response", Exact = true }).ClickAsync();
    }

    public async Task AddEvidenceAsync(string fileName, string mimeType, byte[] content, string kind)
    {
        await EvidencePanel.GetByText("Add evidence", new() { Exact = true }).First.ClickAsync();
        await EvidencePanel.GetByLabel("File", new() { Exact = true }).SetInputFilesAsync(new FilePayload { Name = fileName, MimeType = mimeType, Buffer = content });
        await EvidencePanel.GetByLabel("Kind", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = kind });
        await EvidencePanel.GetByRole(AriaRole.Button, new() { Name = "Add evidence", Exact = true }).ClickAsync();
    }

    public async Task AddNoteAsync(string text, string visibleTo)
    {
        await _page.GetByLabel("Add a note", new() { Exact = true }).FillAsync(text);
        await _page.GetByLabel("Visible to", new() { Exact = true }).First.SelectOptionAsync(new SelectOptionValue { Label = visibleTo });
        await _page.GetByRole(AriaRole.Button, new() { Name = "Add note", Exact = true }).ClickAsync();
        await Assertions.Expect(TimelineEvents.First).ToContainTextAsync(text);
    }

    [GeneratedRegex(@"/cases/(?<reference>DD-\d{4}-\d{5})$")]
    private static partial Regex CaseAddress();
}
