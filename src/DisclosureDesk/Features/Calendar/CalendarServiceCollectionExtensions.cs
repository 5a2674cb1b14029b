using Microsoft.AspNetCore.Diagnostics;

namespace DisclosureDesk.Features.Calendar;

public static class CalendarServiceCollectionExtensions
{
    public static IHostApplicationBuilder AddCalendar(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CalendarFeeds.Handler>();
        return builder;
    }

    /// <summary>
    /// <c>GET /calendar/{token}.ics</c>: the one anonymous endpoint besides signing in. Calendar applications
    /// cannot sign in, so the token alone authorises; anything but a live token of an approved, enabled user is
    /// the same empty 404.
    /// </summary>
    public static IEndpointRouteBuilder MapCalendar(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/calendar/{token}.ics", async (string token, HttpContext context, CalendarFeeds.Handler handler, CancellationToken cancellationToken) =>
            {
                // The secret is in the path: no page, log-in redirect or cache may carry it further (every response is no-referrer).
                context.Response.Headers.CacheControl = "no-store";
                var feed = await handler.RenderAsync(token, cancellationToken);
                if (feed is null)
                {
                    if (context.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
                    {
                        statusPages.Enabled = false;
                    }
                    return Results.NotFound();
                }
                return Results.File(feed.Content, feed.ContentType);
            })
            .AllowAnonymous();
        return endpoints;
    }
}
