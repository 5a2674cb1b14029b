using System.Globalization;
using Microsoft.AspNetCore.DataProtection;

namespace DisclosureDesk.Features.Evidence;

/// <summary>
/// Encrypts evidence at rest with ASP.NET Core Data Protection (authenticated encryption, keys rotated and
/// kept in the data folder's key ring). The purpose includes the case id, so content moved to another
/// case's row does not decrypt.
/// </summary>
public sealed class EvidenceProtector(IDataProtectionProvider provider)
{
    private const string Purpose = "DisclosureDesk.Evidence.v1";

    public byte[] Protect(int caseId, byte[] plaintext) => For(caseId).Protect(plaintext);

    public byte[] Unprotect(int caseId, byte[] ciphertext) => For(caseId).Unprotect(ciphertext);

    private IDataProtector For(int caseId) => provider.CreateProtector(Purpose, caseId.ToString(CultureInfo.InvariantCulture));
}
