using DisclosureDesk;
using DisclosureDesk.Components;
using DisclosureDesk.Features.Api;
using DisclosureDesk.Features.Calendar;
using DisclosureDesk.Features.Campaigns;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Dashboard;
using DisclosureDesk.Features.Discovery;
using DisclosureDesk.Features.Escalation;
using DisclosureDesk.Features.Evidence;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Import;
using DisclosureDesk.Features.Notifications;
using DisclosureDesk.Features.Responses;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Email;
using DisclosureDesk.Infrastructure.Health;
using DisclosureDesk.Infrastructure.Jobs;
using DisclosureDesk.Infrastructure.Security;
using DisclosureDesk.Infrastructure.Telemetry;

var builder = WebApplication.CreateBuilder(args);
// Serve the framework's static assets from the build output in every environment, not only Development,
// so `dotnet run` and the end-to-end tests behave like a published app.
builder.WebHost.UseStaticWebAssets();

builder.AddData();
builder.AddUsers();
builder.AddCases();
builder.AddEmail();
builder.AddJobs();
builder.AddNotifications();
builder.AddResponses();
builder.AddEvidence();
builder.AddExport();
builder.AddEscalation();
builder.AddCalendar();
builder.AddDiscovery();
builder.AddDashboard();
builder.AddImport();
builder.AddCampaigns();
builder.AddHealth();
builder.AddTelemetry();
builder.AddSecurityHeaders();
builder.AddReverseProxy();
builder.AddApi();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddDatabaseDeveloperPageExceptionFilter();

var app = builder.Build();

if (CommandLine.IsCommand(args))
{
    return await CommandLine.RunAsync(app, args);
}

await using (var scope = app.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<DatabaseInitializer>().InitializeAsync();
}

// First: everything after it (HTTPS redirection, HSTS, secure cookies, rate limits by client address) must see the
// client's address and scheme as the known proxy forwarded them.
app.UseForwardedHeaders();
app.UseSecurityHeaders();
if (app.Environment.IsDevelopment())
{
    app.UseMigrationsEndPoint();
}
else
{
    app.UseExceptionHandler("/Error", createScopeForErrors: true);
    app.UseHsts();
}
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseHttpsRedirection();
// Called here rather than left to the host, which would put them first: a sign-in redirect or a 403 must leave
// through UseSecurityHeaders too.
app.UseAuthentication();
app.UseAuthorization();
app.UseMandatoryTwoFactor();
app.UseAntiforgery();
app.UseRateLimiter();

app.MapStaticAssets().AllowAnonymous();
// UseSecurityHeaders sends a stricter frame-ancestors (with the rest of the policy) on every response, pages included.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(options => options.ContentSecurityFrameAncestorsPolicy = null);
app.MapAdditionalIdentityEndpoints();
app.MapNotifications();
app.MapEvidence();
app.MapDiscovery();
app.MapExport();
app.MapCalendar();
app.MapDashboard();
app.MapHealth();
app.MapApi();
app.UseJobs();

await app.RunAsync();
return 0;

/// <summary>Entry point; public so integration tests can host it with WebApplicationFactory.</summary>
public partial class Program;
