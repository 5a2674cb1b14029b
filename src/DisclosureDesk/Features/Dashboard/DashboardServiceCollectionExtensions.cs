using DisclosureDesk.Features.Users;
using Microsoft.AspNetCore.Authorization;

namespace DisclosureDesk.Features.Dashboard;

public static class DashboardServiceCollectionExtensions
{
    /// <summary>The home page's action list and charts, and the administrators' team statistics.</summary>
    public static IHostApplicationBuilder AddDashboard(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<DashboardActions.Handler>();
        builder.Services.AddScoped<DashboardCharts.Handler>();
        builder.Services.AddScoped<TeamStatistics.Handler>();
        return builder;
    }

    /// <summary>
    /// <c>GET /admin/statistics.json</c> and <c>/admin/statistics.csv</c>, optionally <c>?year=2026</c> for that year's
    /// months. Administrators only: the figures count every case, including ones the asker is not on.
    /// </summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/admin/statistics.json", (string? year, HttpContext context, IAuthorizationService authorization,
                TeamStatistics.Handler handler, TimeProvider time, CancellationToken cancellationToken) =>
                DownloadAsync("json", year, context, authorization, handler, time, cancellationToken))
            .RequireAuthorization();
        endpoints.MapGet("/admin/statistics.csv", (string? year, HttpContext context, IAuthorizationService authorization,
                TeamStatistics.Handler handler, TimeProvider time, CancellationToken cancellationToken) =>
                DownloadAsync("csv", year, context, authorization, handler, time, cancellationToken))
            .RequireAuthorization();
        return endpoints;
    }

    private static async Task<IResult> DownloadAsync(string extension, string? year, HttpContext context, IAuthorizationService authorization,
        TeamStatistics.Handler handler, TimeProvider time, CancellationToken cancellationToken)
    {
        // Checked here rather than by RequireAuthorization(Administrator): the cookie handler answers a refused policy
        // with a redirect to an HTML page, and a signed-in script or person downloading the file should get a plain 403.
        if (!(await authorization.AuthorizeAsync(context.User, Policies.Administrator)).Succeeded)
        {
            return Results.Text("Team statistics are for administrators.", statusCode: StatusCodes.Status403Forbidden);
        }
        if (!TeamStatistics.TryParseYear(year, time.GetUtcNow().UtcDateTime, out var parsedYear, out var error))
        {
            return Results.BadRequest(error);
        }
        var report = await handler.HandleAsync(new TeamStatistics.Query(parsedYear), cancellationToken);
        context.Response.Headers.CacheControl = "no-store";
        return extension == "json"
            ? Results.File(TeamStatisticsFiles.Json(report), "application/json", TeamStatisticsFiles.FileName(report, "json"))
            : Results.File(TeamStatisticsFiles.Csv(report), "text/csv; charset=utf-8", TeamStatisticsFiles.FileName(report, "csv"));
    }
}
