using DisclosureDesk.Features.Users;
using Hangfire.Dashboard;

namespace DisclosureDesk.Infrastructure.Jobs;

/// <summary>
/// The dashboard can delete and re-run jobs, so only administrators see it. The endpoint also requires the
/// Administrator policy; this filter keeps Hangfire's own check (local requests only, by default) from
/// being the one that applies.
/// </summary>
internal sealed class AdministratorsOnlyDashboardFilter : IDashboardAuthorizationFilter
{
    public bool Authorize(DashboardContext context) => context.GetHttpContext().User.IsInRole(Roles.Administrator);
}
