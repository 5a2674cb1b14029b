using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Security;

/// <summary>
/// HSTS outside Development, on HTTPS requests only: directly, or behind a TLS-terminating proxy that says so in
/// X-Forwarded-Proto once forwarded headers are switched on (ASPNETCORE_FORWARDEDHEADERS_ENABLED, docs/operations.md).
/// </summary>
public sealed class HstsTests(HstsTests.ProductionApp app) : IClassFixture<HstsTests.ProductionApp>
{
    public sealed class ProductionApp : SqliteDisclosureDeskFactory
    {
        protected override IReadOnlyDictionary<string, string?> AppSettings => new Dictionary<string, string?>(base.AppSettings)
        {
            ["FORWARDEDHEADERS_ENABLED"] = "true",
        };

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }
    }

    [Fact]
    public async Task Response_HttpsRequest_CarriesHsts()
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://desk.example") });

        using var response = await client.GetAsync(new Uri("/Account/Login", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
    }

    [Fact]
    public async Task Response_HttpBehindTlsProxy_CarriesHsts()
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://desk.example") });
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");

        using var response = await client.GetAsync(new Uri("/Account/Login", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.True(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task Response_PlainHttp_HasNoHsts()
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://desk.example") });

        using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }
}
