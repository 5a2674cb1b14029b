using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Evidence;

public sealed class EvidenceOptions
{
    public const string SectionName = "Evidence";

    /// <summary>The largest file accepted. Files are held in memory to hash and encrypt, and travel over the circuit.</summary>
    [Range(1_024, 100 * 1024 * 1024, ErrorMessage = "Evidence:MaxFileBytes must be between 1024 and 104857600.")]
    public long MaxFileBytes { get; set; } = 25 * 1024 * 1024;

    /// <summary>Days after a case is closed before its evidence content is purged (the hashes stay).</summary>
    [Range(1, 3_650, ErrorMessage = "Evidence:RetentionDays must be between 1 and 3650.")]
    public int RetentionDays { get; set; } = 90;
}

public static class EvidenceLimits
{
    public const int FileNameLength = 200;
}
