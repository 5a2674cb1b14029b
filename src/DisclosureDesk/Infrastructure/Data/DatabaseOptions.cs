using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Infrastructure.Data;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

public sealed class DatabaseOptions : IValidatableObject
{
    public const string SectionName = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Required for PostgreSQL. For SQLite, defaults to a file in <see cref="DataDirectory"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Where the embedded database (and later the evidence store) lives; relative to the content root.</summary>
    [Required(ErrorMessage = "Database:DataDirectory must name a folder.")]
    public string DataDirectory { get; set; } = "App_Data";

    /// <summary>How long a SQLite writer waits for another to finish before giving up.</summary>
    [Range(0, 600_000, ErrorMessage = "Database:BusyTimeoutMilliseconds must be between 0 and 600000.")]
    public int BusyTimeoutMilliseconds { get; set; } = 10_000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Enum.IsDefined(Provider))
        {
            yield return new ValidationResult("Database:Provider must be Sqlite or PostgreSql.", [nameof(Provider)]);
        }
        if (Provider == DatabaseProvider.PostgreSql && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult("Database:ConnectionString is required when Database:Provider is PostgreSql.", [nameof(ConnectionString)]);
        }
    }
}
