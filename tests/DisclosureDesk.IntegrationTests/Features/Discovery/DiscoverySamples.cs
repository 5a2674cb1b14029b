using System.Text;

namespace DisclosureDesk.IntegrationTests.Features.Discovery;

/// <summary>The vendored security.txt and RDAP samples (tests/DisclosureDesk.UnitTests/Features/Discovery/Samples).</summary>
public static class DiscoverySamples
{
    public static byte[] Bytes(string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Features", "Discovery", "Samples", name));

    public static string Text(string name) => Encoding.UTF8.GetString(Bytes(name));
}
