using System.Collections;
using System.Globalization;
using System.Reflection;
using Fluid;
using Fluid.Values;
using Microsoft.Extensions.FileProviders;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>
/// The one Fluid parser and options shared by rendering and validation, so a template that validates
/// is rendered under exactly the rules it was checked against.
/// </summary>
internal static class EmailTemplateEngine
{
    public static readonly FluidParser Parser = new();

    /// <summary>Every type a template may read, with its fields under their template names.</summary>
    public static readonly IReadOnlyDictionary<Type, IReadOnlyDictionary<string, PropertyInfo>> Fields =
        CollectFields([typeof(NotificationModel), typeof(AccountEmailModel), typeof(OverdueDigestModel)]);

    public static readonly TemplateOptions Options = CreateOptions();

    private static TemplateOptions CreateOptions()
    {
        var options = new TemplateOptions
        {
            CultureInfo = CultureInfo.InvariantCulture,
            TimeZone = TimeZoneInfo.Utc,
            // Templates are edited by administrators and previewed live; a runaway loop must not pin a server thread.
            MaxSteps = 100_000,
            // No include/render from disk: a template is exactly the text that was validated.
            FileProvider = new NullFileProvider(),
        };
        // A fresh strategy with only the model types registered: any other object reached by a template
        // (there should be none) reads as nil instead of exposing its members.
        options.MemberAccessStrategy = new DefaultMemberAccessStrategy { MemberNameStrategy = MemberNameStrategies.RenameSnakeCase };
        foreach (var type in Fields.Keys)
        {
            options.MemberAccessStrategy.Register(type);
        }
        options.Filters.AddFilter(EndSentenceFilter, EndSentence);
        return options;
    }

    /// <summary>
    /// <c>{{ organization.name | end_sentence }}</c>: the value followed by a full stop, unless it already ends a
    /// sentence. Names such as "Example Corp." or "Acme Inc." end in one, and "… belongs to {{ name }}." would
    /// otherwise read "Example Corp..".
    /// </summary>
    public const string EndSentenceFilter = "end_sentence";

    private static ValueTask<FluidValue> EndSentence(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        var text = input.ToStringValue().TrimEnd();
        return new StringValue(text.Length == 0 || text[^1] is '.' or '!' or '?' or '\u2026' ? text : text + ".");
    }

    /// <summary>The element type when <paramref name="type"/> is a list Liquid can loop over, else null.</summary>
    public static Type? ElementType(Type type) =>
        type == typeof(string) ? null
        : type.IsArray ? type.GetElementType()
        : type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?
            .GetGenericArguments()[0];

    private static Dictionary<Type, IReadOnlyDictionary<string, PropertyInfo>> CollectFields(IEnumerable<Type> roots)
    {
        var fields = new Dictionary<Type, IReadOnlyDictionary<string, PropertyInfo>>();
        var pending = new Queue<Type>(roots);
        while (pending.TryDequeue(out var type))
        {
            if (fields.ContainsKey(type))
            {
                continue;
            }
            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance);
            fields[type] = properties.ToDictionary(p => MemberNameStrategies.RenameSnakeCase(p), StringComparer.Ordinal);
            foreach (var property in properties)
            {
                var valueType = ElementType(property.PropertyType) ?? property.PropertyType;
                if (valueType.IsClass && valueType != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(valueType))
                {
                    pending.Enqueue(valueType);
                }
            }
        }
        return fields;
    }
}
