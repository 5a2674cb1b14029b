using System.Security.Cryptography;
using System.Text;

namespace DisclosureDesk.Infrastructure.Security;

/// <summary>
/// Bearer secrets the app hands out once and keeps only as a hash: calendar feed URLs (ADR-013) and API access
/// tokens (ADR-019). A 256-bit random secret needs no salt or slow hash, so the lookup is one indexed equality.
/// </summary>
public static class SecretTokens
{
    /// <summary>256 random bits, base64url without padding: 43 characters.</summary>
    public const int Bytes = 32;
    public const int Length = 43;

    public static string New() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(Bytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Lower-case hex SHA-256 of the token's UTF-8 bytes: what is stored instead of the token.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Whether <paramref name="value"/> has the shape of <see cref="New"/>'s output.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> value)
    {
        if (value.Length != Length)
        {
            return false;
        }
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '-' and not '_')
            {
                return false;
            }
        }
        return true;
    }
}
