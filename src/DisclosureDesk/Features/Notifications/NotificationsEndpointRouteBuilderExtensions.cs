using DisclosureDesk.Features.Users;

namespace DisclosureDesk.Features.Notifications;

public static class NotificationsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// <c>GET /outbox/{id}.eml</c>: the stored message, byte for byte. A message the user may not see is a 404, the
    /// same answer as one that does not exist, so ids cannot be probed.
    /// </summary>
    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/outbox/{id:long}.eml", async (long id, HttpContext context, ListOutbox.Handler handler, CancellationToken cancellationToken) =>
            {
                var user = CurrentUser.From(context.User);
                var download = user is null ? null : await handler.DownloadAsync(id, user, cancellationToken);
                if (download is null)
                {
                    return Results.NotFound();
                }
                // Emails to owners name their exposed systems; no shared cache should keep a copy.
                context.Response.Headers.CacheControl = "no-store";
                return Results.File(download.Content, "message/rfc822", download.FileName);
            })
            .RequireAuthorization(Policies.ApprovedUser);
        return endpoints;
    }
}
