using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Features.Api;

public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Requests one token (or, without one, one IP address) may make to <c>/api/v1</c> per minute.</summary>
    [Range(1, 100_000, ErrorMessage = "Api:RequestsPerMinute must be between 1 and 100000.")]
    public int RequestsPerMinute { get; set; } = 120;
}
