using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace DisclosureDesk.Infrastructure.Data;

/// <summary>
/// Every instant is stored as UTC. SQLite hands DateTimes back with an unspecified kind and Npgsql
/// refuses to write one, so the kind is pinned on both sides of the conversion.
/// </summary>
internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
    value => value.Kind == DateTimeKind.Local ? value.ToUniversalTime() : DateTime.SpecifyKind(value, DateTimeKind.Utc),
    value => DateTime.SpecifyKind(value, DateTimeKind.Utc));
