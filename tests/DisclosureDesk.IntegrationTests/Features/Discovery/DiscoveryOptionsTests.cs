using DisclosureDesk.Features.Discovery;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.IntegrationTests.Features.Discovery;

public sealed class DiscoveryOptionsTests
{
    private static DiscoveryOptions Bind(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddDiscovery();
        using var services = builder.Services.BuildServiceProvider();
        return services.GetRequiredService<IOptions<DiscoveryOptions>>().Value;
    }

    [Fact]
    public void Bind_NoSettings_GivesTheDocumentedDefaultsWithLoopbackBlocked()
    {
        var options = Bind([]);

        Assert.False(options.AllowLoopback);
        Assert.Equal((10, 3, 65_536, 1_048_576), (options.RequestTimeoutSeconds, options.MaxRedirects, options.SecurityTxtMaxBytes, options.RdapMaxBytes));
    }

    [Theory]
    [InlineData("Discovery:RdapFallbackBaseUrl", "ftp://rdap.example/", "Discovery:RdapFallbackBaseUrl")]
    [InlineData("Discovery:RdapFallbackBaseUrl", "https://rdap.example/registry", "Discovery:RdapFallbackBaseUrl")]
    [InlineData("Discovery:MaxRedirects", "50", "Discovery:MaxRedirects")]
    [InlineData("Discovery:SecurityTxtMaxBytes", "10", "Discovery:SecurityTxtMaxBytes")]
    [InlineData("Discovery:RdapBootstrapDirectory", "/no/such/folder", "Discovery:RdapBootstrapDirectory")]
    public void Bind_WrongSetting_FailsNamingTheSetting(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Bind(new() { [key] = value }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }
}
