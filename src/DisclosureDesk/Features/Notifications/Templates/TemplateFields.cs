using System.Reflection;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>A field a template may use: its path as written in Liquid, what kind of value it is, and whether it can be empty.</summary>
public sealed record TemplateField(string Path, string Kind, bool MayBeEmpty);

/// <summary>
/// The fields of a template's model, read from the same model types the validator checks against, so the list
/// an administrator reads cannot disagree with what a save accepts.
/// </summary>
public static class TemplateFields
{
    private static readonly NullabilityInfoContext Nullability = new();

    public static IReadOnlyList<TemplateField> For(EmailTemplateId id)
    {
        var fields = new List<TemplateField>();
        Collect(id.ModelType(), "", fields);
        return fields;
    }

    private static void Collect(Type type, string prefix, List<TemplateField> fields)
    {
        foreach (var (name, property) in EmailTemplateEngine.Fields[type])
        {
            var path = prefix + name;
            var valueType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (EmailTemplateEngine.Fields.ContainsKey(valueType))
            {
                Collect(valueType, path + ".", fields);
                continue;
            }
            var mayBeEmpty = Nullability.Create(property).ReadState == NullabilityState.Nullable;
            fields.Add(new TemplateField(path, Kind(valueType), mayBeEmpty));
        }
    }

    private static string Kind(Type type) =>
        type == typeof(string) ? "text"
        : type == typeof(bool) ? "yes/no"
        : type == typeof(int) || type == typeof(long) ? "number"
        : EmailTemplateEngine.ElementType(type) is { } element ? "list of " + Kind(element)
        : type.Name;
}
