using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;

namespace DisclosureDesk.Features.Api;

/// <summary>One row of <c>GET /api/v1/cases</c>.</summary>
public sealed record ApiCaseSummary(
    string Reference, string Title, CaseStatus Status, Severity Severity, ServiceEngine Service, string Host, int Port,
    string? OrganizationName, string? LeadName, DateTime CreatedAt, DateTime UpdatedAt)
{
    internal static ApiCaseSummary From(ListCases.Row r) =>
        new(r.Reference, r.Title, r.Status, r.Severity, r.Service, r.Host, r.Port, r.OrganizationName, r.LeadName, r.CreatedAt, r.UpdatedAt);
}

/// <summary>A page of cases; pass <c>nextCursor</c> back as <c>cursor</c> for the next one.</summary>
public sealed record ApiCasePage(IReadOnlyList<ApiCaseSummary> Items, string? NextCursor, string? PreviousCursor, int MatchCount, bool MatchCountIsCapped);

public sealed record ApiTeamMember(string Name, bool IsLead);

/// <summary><c>GET /api/v1/cases/{reference}</c>: the case as its team sees it, without contacts' addresses.</summary>
public sealed record ApiCase(
    string Reference, string Title, string? Summary, CaseStatus Status, Severity Severity, IReadOnlyList<string> Tags,
    ServiceEngine Service, string Host, int Port, string? Asn, string? HostingProvider, ServiceAuthentication AuthenticationState,
    string? DatabaseNames, long? RecordCount, RecordCountMethod RecordCountMethod, DataCategories DataCategories,
    string? AffectedCountry, string? DiscoveryMethod, DateTime? FirstSeenAt, DateTime? LastSeenAt, bool RansomNotePresent,
    string? OrganizationName, string? OrganizationWebsite, DateTime CreatedAt, DateTime UpdatedAt, DateTime? FirstNotifiedAt,
    DateTime? DisclosureDeadlineAt, DateTime? ClosedAt, IReadOnlyList<ApiTeamMember> Team, bool AuditChainVerified)
{
    internal static ApiCase From(GetCase.Details details)
    {
        var c = details.Case;
        return new(c.Reference, c.Title, c.Summary, c.Status, c.Severity, TagList.Parse(c.Tags), c.Service, c.Host, c.Port, c.Asn,
            c.HostingProvider, c.AuthenticationState, c.DatabaseNames, c.RecordCount, c.RecordCountMethod, c.DataCategories,
            c.AffectedCountry, c.DiscoveryMethod, c.FirstSeenAt, c.LastSeenAt, c.RansomNotePresent, c.OrganizationName,
            c.OrganizationWebsite, c.CreatedAt, c.UpdatedAt, c.FirstNotifiedAt, c.DisclosureDeadlineAt, c.ClosedAt,
            details.Team.Select(m => new ApiTeamMember(m.Name, m.IsLead)).ToList(), details.Chain.IsValid);
    }
}

/// <summary>The body of <c>POST /api/v1/cases/{reference}/notes</c>.</summary>
public sealed record ApiNote(string? Text, EventVisibility Visibility = EventVisibility.Internal);

/// <summary>The query of <c>GET /api/v1/cases</c>; every filter optional.</summary>
public sealed record ApiCaseListQuery(
    string? Search, CaseStatus? Status, Severity? Severity, ServiceEngine? Service, bool? OpenOnly, ListCases.SortOrder? Sort,
    string? Cursor, int? PageSize);
