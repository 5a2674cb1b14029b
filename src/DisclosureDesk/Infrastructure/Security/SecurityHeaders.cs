namespace DisclosureDesk.Infrastructure.Security;

/// <summary>
/// Headers every response carries, pages, downloads, error pages and static files alike, set as the response
/// starts so nothing later in the pipeline (a re-executed status page, an exception handler) goes out without them.
/// An endpoint that needs a stricter value sets its own, which is kept.
/// </summary>
public static class SecurityHeaders
{
    public static IHostApplicationBuilder AddSecurityHeaders(this IHostApplicationBuilder builder)
    {
        // Antiforgery would send SAMEORIGIN with every form; DENY below is the one the app means.
        builder.Services.AddAntiforgery(options => options.SuppressXFrameOptionsHeader = true);
        // A year, the value browsers' preload lists expect; sent only on HTTPS requests (behind a TLS-terminating
        // proxy, once forwarded headers mark them so), never to localhost.
        builder.Services.AddHsts(options => options.MaxAge = TimeSpan.FromDays(365));
        return builder;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.TryAdd("X-Content-Type-Options", "nosniff");
                // Case pages carry references and hosts in their addresses; no other site needs to learn them.
                headers.TryAdd("Referrer-Policy", "no-referrer");
                // No other site may frame a page of ours (clickjacking); the CSP form for current browsers, the other for old ones.
                headers.TryAdd("Content-Security-Policy", "frame-ancestors 'none'; object-src 'none'; base-uri 'self'");
                headers.TryAdd("X-Frame-Options", "DENY");
                headers.TryAdd("Cross-Origin-Opener-Policy", "same-origin");
                headers.TryAdd("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
                return Task.CompletedTask;
            });
            await next(context);
        });
}
