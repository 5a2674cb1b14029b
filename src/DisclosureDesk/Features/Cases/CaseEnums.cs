using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Cases;

public enum CaseStatus
{
    New = 0,
    Triaged = 1,
    [Display(Name = "Owner identified")] OwnerIdentified = 2,
    Notified = 3,
    Acknowledged = 4,
    Mitigated = 5,
    Closed = 6,
    Rejected = 7,
    [Display(Name = "No response")] NoResponse = 8,
    Escalated = 9,
    Published = 10,
}

public enum RejectionReason
{
    Invalid = 0,
    Duplicate = 1,
}

public enum Severity
{
    Low = 0,
    Medium = 1,
    High = 2,
    Critical = 3,
}

public enum ServiceEngine
{
    MongoDB = 0,
    Elasticsearch = 1,
    Kibana = 2,
    Redis = 3,
    CouchDB = 4,
    Cassandra = 5,
    MySQL = 6,
    PostgreSQL = 7,
    [Display(Name = "S3-compatible bucket")] S3Bucket = 8,
    Kafka = 9,
    Other = 99,
}

public enum ServiceAuthentication
{
    Unknown = 0,
    [Display(Name = "No authentication")] None = 1,
    [Display(Name = "Default or weak credentials")] DefaultCredentials = 2,
    [Display(Name = "Authentication bypassed")] Bypassed = 3,
    [Display(Name = "Authentication required")] Required = 4,
}

public enum RecordCountMethod
{
    Estimated = 0,
    Verified = 1,
}

[Flags]
public enum DataCategories
{
    None = 0,
    [Display(Name = "Contact details")] ContactDetails = 1,
    [Display(Name = "Government IDs")] GovernmentIds = 2,
    [Display(Name = "Location / GPS")] Location = 4,
    Biometric = 8,
    Health = 16,
    Financial = 32,
    Credentials = 64,
    [Display(Name = "Special categories (GDPR Art. 9)")] SpecialCategories = 128,
    Other = 256,
}

public enum ContactSource
{
    Manual = 0,
    [Display(Name = "security.txt")] SecurityTxt = 1,
    [Display(Name = "RDAP abuse")] RdapAbuse = 2,
    WHOIS = 3,
    [Display(Name = "TLS certificate")] TlsCertificate = 4,
    Website = 5,
}

public static class DataCategoriesExtensions
{
    /// <summary>Whether the exposed data is about people: anything but credentials and "other".</summary>
    public static bool HoldPersonalData(this DataCategories categories) =>
        (categories & ~(DataCategories.Credentials | DataCategories.Other)) != DataCategories.None;
}
