using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Features.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Import;

public enum ImportRunState
{
    /// <summary>The file is stored; it has not been read with a format and mapping yet.</summary>
    Uploaded = 0,
    /// <summary>Read into staged rows; the preview shows them; nothing is imported yet.</summary>
    Staged = 1,
    Queued = 2,
    Running = 3,
    Completed = 4,
    Cancelled = 5,
    Failed = 6,
    /// <summary>Never started: the file and its staged rows were deleted after <see cref="ImportOptions.DiscardUnusedAfterHours"/>.</summary>
    [Display(Name = "Discarded unused")] Discarded = 7,
}

public enum ImportGrouping
{
    [Display(Name = "One case per host")] PerHost = 0,
    [Display(Name = "One case per ASN")] PerAsn = 1,
    [Display(Name = "One case per organisation")] PerOrganization = 2,
    /// <summary>One umbrella case, one campaign recipient per contact address (ADR-021).</summary>
    [Display(Name = "One campaign, one row per recipient")] Campaign = 3,
    /// <summary>Files nothing: marks a campaign's recipients whose hosts the file no longer has as possibly mitigated.</summary>
    [Display(Name = "Rescan of a campaign")] Rescan = 4,
    /// <summary>
    /// One case per network owner as RDAP names it (the registrant organisation, else the abuse address), looked up in
    /// the background before the preview shows the cases (ADR-026). A finding without an owner gets a case for its host.
    /// </summary>
    [Display(Name = "One case per RDAP owner")] PerRdapOwner = 5,
}

/// <summary>Where the RDAP owner lookup of a run is; only <see cref="Completed"/> lets the run be imported per RDAP owner.</summary>
public enum OwnerLookupState
{
    [Display(Name = "Not started")] NotStarted = 0,
    Queued = 1,
    Running = 2,
    Completed = 3,
    Cancelled = 4,
    Failed = 5,
}

public enum ImportRowState
{
    Pending = 0,
    Imported = 1,
    /// <summary>The same host and port came earlier in the file.</summary>
    DuplicateInFile = 2,
    /// <summary>A case already has this host and port.</summary>
    DuplicateOfCase = 3,
}

/// <summary>One upload of a scan file and its import: the preview's counts, then the job's progress.</summary>
public class ImportRun
{
    public long Id { get; set; }
    public string FileName { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public long SizeBytes { get; set; }
    public ImportFormat Format { get; set; }

    /// <summary>JSON object of CSV field to column index; null for JSON lines.</summary>
    public string? CsvMapping { get; set; }
    public ImportGrouping Grouping { get; set; }

    /// <summary>For <see cref="ImportGrouping.Rescan"/>: the campaign (its umbrella case) the file is a rescan of.</summary>
    public int? RescanOfCaseId { get; set; }
    public ImportRunState State { get; set; }
    public string CreatedById { get; set; } = "";
    public string CreatedByName { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public DateTime? StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    public int ValidRows { get; set; }
    public int ErrorRows { get; set; }
    public int DuplicateRows { get; set; }

    /// <summary>JSON list of the first <see cref="ImportOptions.PreviewErrors"/> row errors.</summary>
    public string Errors { get; set; } = "[]";

    /// <summary>The researcher agreed to import the valid rows and skip the bad ones.</summary>
    public bool SkipBadRows { get; set; }
    public bool CancelRequested { get; set; }

    /// <summary>Rows the job has to go through (valid, not duplicated in the file), and how many it has.</summary>
    public int RowsTotal { get; set; }
    public int RowsDone { get; set; }
    public int CasesCreated { get; set; }
    public int SkippedExisting { get; set; }
    public string? Error { get; set; }

    /// <summary>The RDAP owner lookup (<see cref="ImportGrouping.PerRdapOwner"/>), which runs while the run is still Staged.</summary>
    public OwnerLookupState OwnerLookup { get; set; }

    /// <summary>Distinct hosts among the pending findings, and how many of them have an owner or a warning.</summary>
    public int OwnerHosts { get; set; }
    public int OwnerHostsDone { get; set; }

    /// <summary>RDAP lookups made: one per network, since an address inside a network already found needs none.</summary>
    public int OwnerLookups { get; set; }
    public bool OwnerLookupCancelRequested { get; set; }
    public string? OwnerLookupError { get; set; }
}

/// <summary>
/// A valid finding of a run, staged for the job and kept afterwards with its raw JSON: the engine-specific fields
/// and the link from each imported case back to the line it came from.
/// </summary>
public class ImportRow
{
    public long Id { get; set; }
    public long RunId { get; set; }
    public int Line { get; set; }
    public string Host { get; set; } = "";
    public string HostKey { get; set; } = "";
    public int Port { get; set; }
    public string? Transport { get; set; }
    public ServiceEngine Service { get; set; }
    public string? Product { get; set; }
    public string? Organization { get; set; }
    public string? Asn { get; set; }

    /// <summary>Hostnames and domains the scanner saw, one per line.</summary>
    public string Hostnames { get; set; } = "";
    public DateTime? SeenAt { get; set; }
    public Severity? Severity { get; set; }
    public string? Name { get; set; }

    /// <summary>The contact address the file gave for the finding (a campaign writes to it); null when none or not an address.</summary>
    public string? ContactEmail { get; set; }
    public string Raw { get; set; } = "";
    public ImportRowState State { get; set; }
    public int? CaseId { get; set; }

    /// <summary>The network the RDAP owner lookup found for the row's address (ADR-026).</summary>
    public long? OwnerNetworkId { get; set; }

    /// <summary>Why the owner lookup found no owner for the row (a host name, a failed lookup); the row then gets a case for its host.</summary>
    public string? OwnerWarning { get; set; }
}

internal sealed class ImportRunConfiguration : IEntityTypeConfiguration<ImportRun>
{
    public void Configure(EntityTypeBuilder<ImportRun> builder)
    {
        builder.HasIndex(r => new { r.CreatedById, r.Id });
        builder.Property(r => r.FileName).HasMaxLength(CaseLimits.NameLength);
        builder.Property(r => r.Sha256).HasMaxLength(64);
        builder.Property(r => r.CsvMapping).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(r => r.CreatedById).HasMaxLength(450);
        builder.Property(r => r.CreatedByName).HasMaxLength(CaseLimits.NameLength);
        builder.Property(r => r.Error).HasMaxLength(CaseLimits.LongTextLength);
        builder.Property(r => r.OwnerLookupError).HasMaxLength(CaseLimits.LongTextLength);
    }
}

internal sealed class ImportRowConfiguration : IEntityTypeConfiguration<ImportRow>
{
    public void Configure(EntityTypeBuilder<ImportRow> builder)
    {
        builder.HasIndex(r => new { r.RunId, r.State, r.Line });
        // Finds the findings earlier imports filed, for the duplicate check; a staged row has no case and no entry.
        builder.HasIndex(r => new { r.HostKey, r.Port }).HasFilter("\"CaseId\" IS NOT NULL");
        builder.Property(r => r.Host).HasMaxLength(CaseLimits.HostLength);
        builder.Property(r => r.HostKey).HasMaxLength(CaseLimits.HostLength);
        builder.Property(r => r.Transport).HasMaxLength(10);
        builder.Property(r => r.Product).HasMaxLength(CaseLimits.NameLength);
        builder.Property(r => r.Organization).HasMaxLength(CaseLimits.NameLength);
        builder.Property(r => r.Asn).HasMaxLength(CaseLimits.ShortTextLength);
        builder.Property(r => r.Name).HasMaxLength(CaseLimits.NameLength);
        builder.Property(r => r.ContactEmail).HasMaxLength(Campaigns.CampaignLimits.EmailLength);
        builder.HasOne<ImportRun>().WithMany().HasForeignKey(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasOne<Case>().WithMany().HasForeignKey(r => r.CaseId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(r => r.OwnerWarning).HasMaxLength(CaseLimits.LongTextLength);
        builder.HasOne<ImportOwnerNetwork>().WithMany().HasForeignKey(r => r.OwnerNetworkId).OnDelete(DeleteBehavior.SetNull);
    }
}
