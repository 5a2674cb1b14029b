namespace DisclosureDesk.Features.Export;

/// <summary>Who an export is for, and so what it leaves out.</summary>
public enum ExportProfile
{
    /// <summary>The team: every event, contact and evidence file, unmasked.</summary>
    Full = 0,

    /// <summary>The owner: events marked Owner or Public; no internal notes, team e-mail addresses, tags or evidence.</summary>
    Owner = 1,

    /// <summary>A write-up: Public events only, IP addresses masked, e-mail addresses and contact names removed.</summary>
    Public = 2,
}

public enum ExportFormat
{
    Json = 0,
    Markdown = 1,
    Csv = 2,

    /// <summary>A standalone, print-ready page.</summary>
    Html = 3,

    /// <summary>A CSAF 2.0 informational advisory.</summary>
    Csaf = 4,

    /// <summary>The case's deadlines and scheduled follow-ups as an iCalendar file.</summary>
    Ics = 5,
}

/// <summary>The names the endpoint and the command line accept, and what each format is served as.</summary>
public static class ExportChoices
{
    public const string FormatNames = "json, md, csv, html, csaf, ics";
    public const string ProfileNames = "full, owner, public";

    public static bool TryParseFormat(string? value, out ExportFormat format)
    {
        (var known, format) = value?.Trim().ToLowerInvariant() switch
        {
            "json" => (true, ExportFormat.Json),
            "md" or "markdown" => (true, ExportFormat.Markdown),
            "csv" => (true, ExportFormat.Csv),
            "html" => (true, ExportFormat.Html),
            "csaf" => (true, ExportFormat.Csaf),
            "ics" => (true, ExportFormat.Ics),
            _ => (false, default),
        };
        return known;
    }

    public static bool TryParseProfile(string? value, out ExportProfile profile)
    {
        (var known, profile) = value?.Trim().ToLowerInvariant() switch
        {
            "full" => (true, ExportProfile.Full),
            "owner" => (true, ExportProfile.Owner),
            "public" => (true, ExportProfile.Public),
            _ => (false, default),
        };
        return known;
    }

    public static string Name(this ExportProfile profile) => profile.ToString().ToLowerInvariant();

    /// <summary>The name the endpoint's <c>format</c> parameter and the command line's <c>--format</c> take.</summary>
    public static string Name(this ExportFormat format) => format switch
    {
        ExportFormat.Json => "json",
        ExportFormat.Markdown => "md",
        ExportFormat.Csv => "csv",
        ExportFormat.Html => "html",
        ExportFormat.Csaf => "csaf",
        ExportFormat.Ics => "ics",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown export format."),
    };

    /// <summary>A CSAF advisory is JSON too; its own suffix keeps it apart from the JSON export of the same case.</summary>
    public static string Extension(this ExportFormat format) => format switch
    {
        ExportFormat.Csaf => "csaf.json",
        _ => format.Name(),
    };

    public static string ContentType(this ExportFormat format) => format switch
    {
        ExportFormat.Json or ExportFormat.Csaf => "application/json; charset=utf-8",
        ExportFormat.Markdown => "text/markdown; charset=utf-8",
        ExportFormat.Csv => "text/csv; charset=utf-8",
        ExportFormat.Html => "text/html; charset=utf-8",
        ExportFormat.Ics => "text/calendar; charset=utf-8",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown export format."),
    };

    public static string FileName(string reference, ExportFormat format, ExportProfile profile) =>
        $"{reference}-{profile.Name()}.{format.Extension()}";
}
