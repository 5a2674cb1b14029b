using System.Security.Cryptography;
using Microsoft.AspNetCore.Components.Endpoints;

namespace DisclosureDesk.Infrastructure.Security;

/// <summary>
/// Headers every response carries, pages, downloads, error pages and static files alike, set as the response
/// starts so nothing later in the pipeline (a re-executed status page, an exception handler) goes out without them.
/// An endpoint that needs a stricter value sets its own, which is kept.
/// </summary>
public static class SecurityHeaders
{
    private const string BasePolicy = "frame-ancestors 'none'; object-src 'none'; base-uri 'self'";
    private static readonly object NonceKey = new();

    /// <summary>
    /// This request's script nonce: 128 random bits, made on first use. A page's <c>&lt;ImportMap&gt;</c> carries it,
    /// and the page's <c>script-src</c> allows only scripts from this origin and the element with this nonce.
    /// </summary>
    public static string ScriptNonce(HttpContext context)
    {
        if (context.Items[NonceKey] is not string nonce)
        {
            // Hex: valid in a CSP nonce and needs no escaping in an attribute.
            nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceKey] = nonce;
        }
        return nonce;
    }

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
                // The app's pages also run only this origin's scripts and the nonce'd import map, so injected markup cannot
                // run script. Other responses (files, JSON, the API reference and Hangfire's pages, whose inline
                // scripts are not ours to nonce) keep the base policy.
                headers.TryAdd("Content-Security-Policy", context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is null
                    ? BasePolicy
                    : $"{BasePolicy}; script-src 'self' 'nonce-{ScriptNonce(context)}'");
                headers.TryAdd("X-Frame-Options", "DENY");
                headers.TryAdd("Cross-Origin-Opener-Policy", "same-origin");
                headers.TryAdd("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()");
                return Task.CompletedTask;
            });
            await next(context);
        });
}
