using System.Globalization;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Ast;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>A reason a template was refused, on a 1-based line of the template file.</summary>
public sealed record TemplateError(int Line, string Message)
{
    public override string ToString() => $"Line {Line}: {Message}";
}

public sealed record TemplateValidation(EmailTemplate? Template, IReadOnlyList<TemplateError> Errors)
{
    public bool IsValid => Template is not null;
}

/// <summary>
/// Checks template source before it is stored or previewed: the file layout, the Liquid syntax, and that
/// every field and filter it names exists. Fields are checked on every branch, not only the ones a sample
/// render would take, so a typo inside a rarely true <c>{% if %}</c> is caught too.
/// </summary>
public static partial class TemplateValidator
{
    private const string SubjectPrefix = "Subject:";

    // Sizes and ends of lists and strings: the members Liquid itself gives them.
    private static readonly HashSet<string> BuiltInMembers = ["size", "first", "last"];

    /// <summary>
    /// Validates <paramref name="source"/>, the whole template file: <c>Subject: …</c> on the first line,
    /// a blank line, then the body.
    /// </summary>
    public static TemplateValidation Validate(EmailTemplateId id, string source)
    {
        var lines = source.ReplaceLineEndings("\n").Split('\n');
        if (!lines[0].StartsWith(SubjectPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return Refused(new TemplateError(1, $"The first line must be the subject, written '{SubjectPrefix} …'."));
        }
        var subjectSource = lines[0][SubjectPrefix.Length..].Trim();
        if (subjectSource.Length == 0)
        {
            return Refused(new TemplateError(1, "The subject is empty."));
        }
        if (lines.Length < 3 || lines[1].Trim().Length != 0)
        {
            return Refused(new TemplateError(2, "Leave one blank line after the subject, then write the body."));
        }
        var bodySource = string.Join('\n', lines[2..]);
        if (bodySource.Trim().Length == 0)
        {
            return Refused(new TemplateError(3, "The body is empty."));
        }

        var errors = new List<TemplateError>();
        var subject = Check(id, subjectSource, firstLine: 1, errors);
        var body = Check(id, bodySource, firstLine: 3, errors);
        return errors.Count == 0 && subject is not null && body is not null
            ? new TemplateValidation(new EmailTemplate(id, subject, body), [])
            : new TemplateValidation(null, errors);
    }

    private static TemplateValidation Refused(TemplateError error) => new(null, [error]);

    private static IFluidTemplate? Check(EmailTemplateId id, string source, int firstLine, List<TemplateError> errors)
    {
        if (!EmailTemplateEngine.Parser.TryParse(source, out var template, out var parseError))
        {
            errors.Add(FromParseError(parseError, firstLine));
            return null;
        }
        var references = new ReferenceCollector();
        references.VisitTemplate(template);
        var before = errors.Count;
        foreach (var (segments, from) in references.Members)
        {
            if (segments[0] is IdentifierSegment root && references.Locals.Contains(root.Identifier))
            {
                continue;
            }
            if (UnknownField(id.ModelType(), segments) is { } unknown)
            {
                var line = LineOf(source, from, PathPattern(segments, unknown.Depth));
                errors.Add(new TemplateError(firstLine - 1 + line, unknown.Message));
            }
        }
        foreach (var (name, from) in references.Filters)
        {
            if (!EmailTemplateEngine.Options.Filters.TryGetValue(name, out _))
            {
                var line = LineOf(source, from, @"\|\s*" + Regex.Escape(name) + @"(?!\w)");
                errors.Add(new TemplateError(firstLine - 1 + line, $"Unknown filter '{name}'."));
            }
        }
        return errors.Count == before ? template : null;
    }

    // Fluid reports "<reason> at (line:column)" followed by the offending source line.
    private static TemplateError FromParseError(string message, int firstLine)
    {
        var match = ParseErrorPosition().Match(message);
        return match.Success
            ? new TemplateError(firstLine - 1 + int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture), match.Groups["reason"].Value.Trim())
            : new TemplateError(firstLine, message.Trim());
    }

    private sealed record Unknown(int Depth, string Message);

    /// <summary>Follows <paramref name="segments"/> through the model's types; the first one that does not exist, or null.</summary>
    private static Unknown? UnknownField(Type modelType, IReadOnlyList<MemberSegment> segments)
    {
        Type? type = modelType;
        var path = new List<string>();
        for (var depth = 0; depth < segments.Count && type is not null; depth++)
        {
            if (segments[depth] is not IdentifierSegment { Identifier: var name })
            {
                // An index into a list yields its element; anything more dynamic is left to render time.
                type = segments[depth] is IndexerSegment ? EmailTemplateEngine.ElementType(type) : null;
                continue;
            }
            var element = EmailTemplateEngine.ElementType(type);
            if ((type == typeof(string) || element is not null) && BuiltInMembers.Contains(name))
            {
                type = name == "size" ? typeof(int) : element;
            }
            else if (EmailTemplateEngine.Fields.TryGetValue(type, out var fields) && fields.TryGetValue(name, out var property))
            {
                type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            }
            else
            {
                var known = EmailTemplateEngine.Fields.TryGetValue(type, out var available)
                    ? $" Available here: {string.Join(", ", available.Keys.Order(StringComparer.Ordinal))}."
                    : "";
                return new Unknown(depth, $"Unknown field '{string.Join('.', path.Append(name))}'.{known}");
            }
            path.Add(name);
        }
        return null;
    }

    private static string PathPattern(IReadOnlyList<MemberSegment> segments, int depth)
    {
        var names = segments.Take(depth + 1).OfType<IdentifierSegment>().Select(s => Regex.Escape(s.Identifier));
        return @"(?<![\w.])" + string.Join(@"\s*\.\s*", names) + @"(?!\w)";
    }

    /// <summary>
    /// Fluid's AST carries no positions, but literal text does: a reference lies in the markup after the
    /// last text before it, so the first match from there is the reference itself.
    /// </summary>
    private static int LineOf(string source, int from, string pattern)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var match = regex.Match(source, Math.Min(from, source.Length));
        if (!match.Success)
        {
            match = regex.Match(source);
        }
        var at = match.Success ? match.Index : Math.Min(from, source.Length);
        return 1 + source.AsSpan(0, at).Count('\n');
    }

    [GeneratedRegex(@"^(?<reason>.*?) at \((?<line>\d+):(?<column>\d+)\)")]
    private static partial Regex ParseErrorPosition();

    private sealed class ReferenceCollector : AstVisitor
    {
        private int _markupStart;

        public List<(IReadOnlyList<MemberSegment> Segments, int From)> Members { get; } = [];
        public List<(string Name, int From)> Filters { get; } = [];

        /// <summary>Names the template defines itself; they may be read anywhere and are not model fields.</summary>
        public HashSet<string> Locals { get; } = ["forloop", "tablerowloop"];

        protected override Statement VisitTextSpanStatement(TextSpanStatement textSpanStatement)
        {
            _markupStart = textSpanStatement.Text.Offset + textSpanStatement.Text.Length;
            return base.VisitTextSpanStatement(textSpanStatement);
        }

        protected override Expression VisitMemberExpression(MemberExpression memberExpression)
        {
            if (memberExpression.Segments.Count > 0)
            {
                Members.Add((memberExpression.Segments, _markupStart));
            }
            return base.VisitMemberExpression(memberExpression);
        }

        protected override Expression VisitFilterExpression(FilterExpression filterExpression)
        {
            Filters.Add((filterExpression.Name, _markupStart));
            return base.VisitFilterExpression(filterExpression);
        }

        protected override Statement VisitAssignStatement(AssignStatement assignStatement)
        {
            Locals.Add(assignStatement.Identifier);
            return base.VisitAssignStatement(assignStatement);
        }

        protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
        {
            Locals.Add(captureStatement.Identifier);
            return base.VisitCaptureStatement(captureStatement);
        }

        protected override Statement VisitForStatement(ForStatement forStatement)
        {
            Locals.Add(forStatement.Identifier);
            return base.VisitForStatement(forStatement);
        }
    }
}
