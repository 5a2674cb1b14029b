using System.ComponentModel.DataAnnotations;

namespace DisclosureDesk.Infrastructure.Telemetry;

/// <summary>Where traces and metrics go. Without <see cref="OtlpEndpoint"/> nothing is collected or exported.</summary>
public sealed class TelemetryOptions : IValidatableObject
{
    public const string SectionName = "OpenTelemetry";

    /// <summary>
    /// The OpenTelemetry collector's OTLP endpoint, e.g. <c>http://collector:4317</c> (gRPC) or
    /// <c>http://collector:4318</c> with <see cref="OtlpProtocol"/> <c>HttpProtobuf</c>. Unset: telemetry is off.
    /// </summary>
    public Uri? OtlpEndpoint { get; set; }

    public OtlpTransport OtlpProtocol { get; set; } = OtlpTransport.Grpc;

    /// <summary>The <c>service.name</c> resource attribute, to tell instances' or environments' telemetry apart.</summary>
    [Required(ErrorMessage = "OpenTelemetry:ServiceName must not be empty.")]
    [MaxLength(100, ErrorMessage = "OpenTelemetry:ServiceName must be at most 100 characters.")]
    public string ServiceName { get; set; } = "DisclosureDesk";

    /// <summary>How often metrics are sent.</summary>
    [Range(1, 3600, ErrorMessage = "OpenTelemetry:MetricsIntervalSeconds must be between 1 and 3600.")]
    public int MetricsIntervalSeconds { get; set; } = 60;

    public bool Enabled => OtlpEndpoint is not null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            yield return new ValidationResult(
                "OpenTelemetry:OtlpEndpoint must be an absolute http:// or https:// URL, e.g. http://collector:4317.", [nameof(OtlpEndpoint)]);
        }
    }
}

/// <summary>OTLP's two transports, as the collector's receivers name them.</summary>
public enum OtlpTransport
{
    Grpc,
    HttpProtobuf,
}
