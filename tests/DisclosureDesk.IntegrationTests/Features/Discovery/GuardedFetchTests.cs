using System.Text;
using DisclosureDesk.Features.Discovery;
using Microsoft.AspNetCore.Http;

namespace DisclosureDesk.IntegrationTests.Features.Discovery;

/// <summary>The SSRF guard and the fetch limits against a real HTTPS server on loopback, with the production handler.</summary>
public sealed class GuardedFetchTests : IAsyncLifetime
{
    private static readonly FetchRules SecurityTxtRules = new(64 * 1024, HttpsOnly: true, "text/plain");
    private LoopbackHttpsServer _server = null!;

    public async ValueTask InitializeAsync() => _server = await LoopbackHttpsServer.StartAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task<FetchException> FetchFailsAsync(string path, FetchRules? rules = null, bool allowLoopback = true)
    {
        await using var harness = new DiscoveryHarness(_server, allowLoopback: allowLoopback, redirectHttpsPort: false);
        return await Assert.ThrowsAsync<FetchException>(() => harness.Get<DiscoveryHttp>()
            .GetAsync(new Uri(_server.BaseUri, path), rules ?? SecurityTxtRules, TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("https://10.0.0.1/.well-known/security.txt", "private")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "cloud metadata")]
    [InlineData("https://[fd00:ec2::254]/latest/meta-data/", "cloud metadata")]
    [InlineData("https://[::ffff:169.254.169.254]/", "IPv4-mapped cloud metadata")]
    [InlineData("https://[::ffff:10.0.0.1]/", "IPv4-mapped private")]
    [InlineData("https://192.168.1.1/", "private")]
    [InlineData("https://100.64.0.1/", "carrier-grade NAT")]
    [InlineData("https://0.0.0.0/", "this network")]
    [InlineData("https://[fe80::1]/", "link-local")]
    public async Task GetAsync_RedirectIntoBlockedAddress_IsRefusedAtConnect(string location, string range)
    {
        _server.Redirect("/hop", location);

        var error = await FetchFailsAsync("/hop");

        Assert.StartsWith($"Refused {new Uri(location)}", error.Message, StringComparison.Ordinal);
        Assert.Contains(range, error.Message, StringComparison.Ordinal);
        Assert.IsType<BlockedAddressException>(error.InnerException);
        Assert.Equal(["/hop"], _server.Requests);
    }

    [Fact]
    public async Task GetAsync_LoopbackWithoutAllowLoopback_IsRefusedAndNothingArrives()
    {
        _server.Serve("/.well-known/security.txt", "Contact: mailto:a@example.org\n");

        var error = await FetchFailsAsync("/.well-known/security.txt", allowLoopback: false);

        Assert.Contains("loopback", error.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task GetAsync_RedirectToPlainHttpOnAnHttpsOnlyFetch_IsRefused()
    {
        _server.Redirect("/hop", $"http://127.0.0.1:{_server.Port}/security.txt");

        var error = await FetchFailsAsync("/hop");

        Assert.Contains("is not HTTPS", error.Message, StringComparison.Ordinal);
        Assert.Equal(["/hop"], _server.Requests);
    }

    [Fact]
    public async Task GetAsync_MoreRedirectsThanTheLimit_IsRefused()
    {
        _server.Redirect("/a", "/b");
        _server.Redirect("/b", "/c");
        _server.Redirect("/c", "/d");
        _server.Redirect("/d", "/e");
        _server.Serve("/e", "Contact: mailto:a@example.org\n");

        var error = await FetchFailsAsync("/a");

        Assert.Contains("redirected more than 3 times", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("/e", _server.Requests);
    }

    [Fact]
    public async Task GetAsync_RelativeRedirectsWithinTheLimit_AreFollowed()
    {
        _server.Redirect("/a", "/b", StatusCodes.Status301MovedPermanently);
        _server.Redirect("/b", "/final", StatusCodes.Status308PermanentRedirect);
        _server.Serve("/final", "Contact: mailto:a@example.org\n");
        await using var harness = new DiscoveryHarness(_server, redirectHttpsPort: false);

        var fetched = await harness.Get<DiscoveryHttp>().GetAsync(new Uri(_server.BaseUri, "/a"), SecurityTxtRules, TestContext.Current.CancellationToken);

        Assert.Equal(new Uri(_server.BaseUri, "/final"), fetched.FinalUri);
        Assert.Equal("Contact: mailto:a@example.org\n", Encoding.UTF8.GetString(fetched.Content));
    }

    [Fact]
    public async Task GetAsync_BodyOverTheCapWithoutLength_StopsReadingAtTheCap()
    {
        _server.Map("/huge", async context =>
        {
            context.Response.ContentType = "text/plain";
            var line = Encoding.ASCII.GetBytes("# padding padding padding padding padding padding padding padding\n");
            try
            {
                // Chunked, no Content-Length: only the incremental read can stop it.
                for (var i = 0; i < 20_000; i++)
                {
                    await context.Response.Body.WriteAsync(line, context.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        var error = await FetchFailsAsync("/huge");

        Assert.Contains("over the 65536-byte limit; reading stopped there", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_DeclaredLengthOverTheCap_IsRefusedBeforeReading()
    {
        _server.Serve("/big", new byte[70_000], "text/plain");

        var error = await FetchFailsAsync("/big");

        Assert.Contains("is 70000 bytes, over the 65536-byte limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_ErrorStatus_NamesTheStatus()
    {
        var error = await FetchFailsAsync("/missing");

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("HTTP 404", error.Message, StringComparison.Ordinal);
    }
}
