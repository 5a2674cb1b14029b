using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Evidence;

public enum EvidenceKind
{
    Screenshot = 0,
    [Display(Name = "Field list / schema")] FieldList = 1,
    [Display(Name = "Redacted sample")] RedactedSample = 2,
    [Display(Name = "Scan output")] ScanOutput = 3,
    Correspondence = 4,
    Other = 5,
}

/// <summary>
/// A file kept as evidence on a case. The metadata stays for good; the content (encrypted, in
/// <see cref="EvidenceContent"/>) is purged once the case has been closed for the retention period, and
/// <see cref="Sha256"/>, also written into the audit chain, still proves what it was.
/// </summary>
public class EvidenceFile
{
    public long Id { get; set; }
    public int CaseId { get; set; }
    public EvidenceKind Kind { get; set; }

    /// <summary>The uploader's file name, reduced to a safe display name; never used as a path.</summary>
    public string FileName { get; set; } = "";

    /// <summary>The type found in the content itself, not the one the browser claimed.</summary>
    public string ContentType { get; set; } = "";
    public long Length { get; set; }

    /// <summary>Hex SHA-256 of the plaintext content.</summary>
    public string Sha256 { get; set; } = "";
    public string? Description { get; set; }

    /// <summary>For samples: the uploader confirmed that personal data was removed.</summary>
    public bool Redacted { get; set; }
    public string UploadedById { get; set; } = "";
    public string UploadedByName { get; set; } = "";
    public DateTime UploadedAt { get; set; }
    public DateTime? PurgedAt { get; set; }

    /// <summary>The position of the event that records the upload in the case's audit chain.</summary>
    public int EventSequence { get; set; }

    /// <summary>Loaded only when the bytes are needed; null once purged.</summary>
    public EvidenceContent? Content { get; set; }
}

/// <summary>The encrypted bytes of an <see cref="EvidenceFile"/>, apart so that listing evidence never loads them.</summary>
public class EvidenceContent
{
    public long EvidenceFileId { get; set; }
    public byte[] Ciphertext { get; set; } = [];
}
