using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace DisclosureDesk;

public static class EnumDisplay
{
    /// <summary>The enum member's <see cref="DisplayAttribute"/> name, else its identifier.</summary>
    public static string DisplayName(this Enum value)
    {
        var name = value.ToString();
        var member = value.GetType().GetField(name, BindingFlags.Public | BindingFlags.Static);
        return member?.GetCustomAttribute<DisplayAttribute>()?.GetName() ?? name;
    }

    /// <summary>The display names of the single flags set in <paramref name="value"/>.</summary>
    public static IEnumerable<string> FlagNames<TEnum>(this TEnum value) where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>()
            .Where(flag => Convert.ToInt64(flag, System.Globalization.CultureInfo.InvariantCulture) != 0 && value.HasFlag(flag))
            .Select(flag => flag.DisplayName());
}
