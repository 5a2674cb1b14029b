using Microsoft.AspNetCore.DataProtection;

namespace DisclosureDesk.Features.Responses.Mail;

/// <summary>
/// Encrypts a message that is on no case yet (unmatched or quarantined). Once it is assigned, its bytes move into
/// the case's evidence under <see cref="Evidence.EvidenceProtector"/>, bound to that case.
/// </summary>
public sealed class InboundProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("DisclosureDesk.InboundMail.v1");

    public byte[] Protect(byte[] plaintext) => _protector.Protect(plaintext);

    public byte[] Unprotect(byte[] ciphertext) => _protector.Unprotect(ciphertext);
}
