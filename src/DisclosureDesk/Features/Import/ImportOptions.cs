using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Import;

public sealed class ImportOptions
{
    public const string SectionName = "Import";

    /// <summary>The largest scan file a researcher may upload. 100 MB by default.</summary>
    [Range(1_024, 2_147_483_647, ErrorMessage = "Import:MaxUploadBytes must be between 1024 and 2147483647.")]
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Findings per transaction: a batch is imported whole or not at all, and a cancel stops between batches.</summary>
    [Range(1, 10_000, ErrorMessage = "Import:BatchSize must be between 1 and 10000.")]
    public int BatchSize { get; set; } = 500;

    /// <summary>How many row errors the preview keeps and shows.</summary>
    [Range(1, 10_000, ErrorMessage = "Import:PreviewErrors must be between 1 and 10000.")]
    public int PreviewErrors { get; set; } = 100;

    /// <summary>An uploaded file never imported is deleted, with its staged rows, after this many hours.</summary>
    [Range(1, 8_760, ErrorMessage = "Import:DiscardUnusedAfterHours must be between 1 and 8760.")]
    public int DiscardUnusedAfterHours { get; set; } = 24;

    /// <summary>RDAP lookups the owner lookup of one import makes at once (to different parts of the address space).</summary>
    [Range(1, 16, ErrorMessage = "Import:RdapConcurrency must be between 1 and 16.")]
    public int RdapConcurrency { get; set; } = 4;

    /// <summary>Tries per address when an RDAP server answers 429 Too Many Requests; after the last the row gets a warning.</summary>
    [Range(1, 10, ErrorMessage = "Import:RdapAttempts must be between 1 and 10.")]
    public int RdapAttempts { get; set; } = 3;

    /// <summary>
    /// The longest Retry-After the owner lookup waits for; a server asking for longer is not asked again in this lookup,
    /// and its addresses get a warning. A 429 without Retry-After waits <see cref="RdapDefaultRetrySeconds"/>.
    /// </summary>
    [Range(1, 3_600, ErrorMessage = "Import:RdapMaxRetryAfterSeconds must be between 1 and 3600.")]
    public int RdapMaxRetryAfterSeconds { get; set; } = 120;

    [Range(1, 3_600, ErrorMessage = "Import:RdapDefaultRetrySeconds must be between 1 and 3600.")]
    public int RdapDefaultRetrySeconds { get; set; } = 10;
}
