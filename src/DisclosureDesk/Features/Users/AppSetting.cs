using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace DisclosureDesk.Features.Users;

/// <summary>A setting administrators change at run time (start-up settings live in configuration).</summary>
public class AppSetting
{
    public const string OpenRegistration = "Registration.Open";
    public const string RequireTwoFactor = "Security.RequireTwoFactor";

    public string Key { get; set; } = "";
    public string Value { get; set; } = "";

    public static Task<bool> IsRegistrationOpenAsync(Infrastructure.Data.AppDbContext db) => IsOnAsync(db, OpenRegistration);

    public static async Task<bool> IsOnAsync(Infrastructure.Data.AppDbContext db, string key, CancellationToken cancellationToken = default) =>
        (await db.AppSettings.AsNoTracking().SingleOrDefaultAsync(s => s.Key == key, cancellationToken))?.Value == "true";

    /// <summary>Stores an on/off setting in <paramref name="db"/> (the caller saves).</summary>
    public static async Task SetAsync(Infrastructure.Data.AppDbContext db, string key, bool on)
    {
        var setting = await db.AppSettings.FindAsync(key);
        if (setting is null)
        {
            db.AppSettings.Add(new AppSetting { Key = key, Value = on ? "true" : "false" });
        }
        else
        {
            setting.Value = on ? "true" : "false";
        }
    }
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
