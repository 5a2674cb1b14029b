using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DisclosureDesk.IntegrationTests.Features.Notifications;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace DisclosureDesk.IntegrationTests.Infrastructure.Health;

/// <summary>The load balancer's view: anonymous, and saying which part is down without saying why.</summary>
[Collection(typeof(SqliteCollection))]
public sealed class HealthEndpointTests(SqliteDisclosureDeskFactory app)
{
    [Fact]
    public async Task Live_Anonymous_IsHealthyWithoutCheckingAnything()
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var (status, body) = await GetAsync(client, "/health/live");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Empty(body.GetProperty("checks").EnumerateObject());
    }

    [Fact]
    public async Task Ready_Anonymous_ChecksTheDatabaseJobStorageAndMail()
    {
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var (status, body) = await GetAsync(client, "/health/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var checks = body.GetProperty("checks");
        Assert.Equal(["database", "jobs", "smtp"], checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(checks.EnumerateObject(), c => Assert.Equal("Healthy", c.Value.GetProperty("status").GetString()));
        Assert.Contains("pickup folder", checks.GetProperty("smtp").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_SmtpServerUpThenGone_IsHealthyThenDegradedWithoutItsAddress()
    {
        var smtp = TestSmtpServer.Start();
        var port = smtp.Port;
        await using var withSmtp = app.WithWebHostBuilder(builder => builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = "127.0.0.1",
            ["Email:Smtp:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:Smtp:Security"] = "None",
            ["Email:Smtp:TimeoutSeconds"] = "5",
        })));
        using var client = withSmtp.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var (upStatus, up) = await GetAsync(client, "/health/ready");
        await smtp.DisposeAsync();
        var (downStatus, down) = await GetAsync(client, "/health/ready");

        Assert.Equal((HttpStatusCode.OK, "Healthy"), (upStatus, up.GetProperty("checks").GetProperty("smtp").GetProperty("status").GetString()));
        Assert.Equal(HttpStatusCode.OK, downStatus);
        Assert.Equal("Degraded", down.GetProperty("status").GetString());
        var description = down.GetProperty("checks").GetProperty("smtp").GetProperty("description").GetString()!;
        Assert.DoesNotContain("127.0.0.1", description, StringComparison.Ordinal);
        Assert.DoesNotContain(port.ToString(System.Globalization.CultureInfo.InvariantCulture), description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_DatabaseFileGone_IsUnhealthyWith503()
    {
        await using var lost = new SqliteDisclosureDeskFactory();
        await lost.InitializeAsync();
        using var client = lost.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/health/ready")).Status);

        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(lost.Database.File)!, Path.GetFileName(lost.Database.File) + "*"))
        {
            File.Delete(file);
        }
        var (status, body) = await GetAsync(client, "/health/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("jobs").GetProperty("status").GetString());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return (response.StatusCode, document.RootElement.Clone());
    }
}
