using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Users;

/// <summary>A setting administrators change at run time (start-up settings live in configuration).</summary>
public class AppSetting
{
    public const string OpenRegistration = "Registration.Open";

    public string Key { get; set; } = "";
    public string Value { get; set; } = "";

    public static async Task<bool> IsRegistrationOpenAsync(Infrastructure.Data.AppDbContext db) =>
        (await db.AppSettings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == OpenRegistration))?.Value == "true";
}

internal sealed class AppSettingConfiguration : IEntityTypeConfiguration<AppSetting>
{
    public void Configure(EntityTypeBuilder<AppSetting> builder)
    {
        builder.HasKey(s => s.Key);
        builder.Property(s => s.Key).HasMaxLength(100);
        builder.Property(s => s.Value).HasMaxLength(1000);
    }
}
