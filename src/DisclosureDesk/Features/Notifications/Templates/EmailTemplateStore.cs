using System.Collections.Concurrent;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Notifications.Templates;

/// <summary>
/// The templates emails are rendered with: each template's newest saved version, or the shipped default when
/// none was saved or the newest is a reset. The active version numbers are read from the database on every
/// load, so a save, in this process or another instance, applies to the next email rendered; only the parsing
/// is cached, keyed by the version number, which never changes meaning because versions are never edited.
/// </summary>
public sealed partial class EmailTemplateStore(EmailTemplateRenderer renderer, ILogger<EmailTemplateStore> logger)
{
    private sealed record Parsed(int Version, EmailTemplate Template);

    private readonly ConcurrentDictionary<EmailTemplateId, Parsed> _parsed = new();

    /// <summary>The active template of every email, read in <paramref name="db"/> (and so in its transaction, if any).</summary>
    public async Task<ActiveEmailTemplates> LoadActiveAsync(AppDbContext db, CancellationToken cancellationToken = default)
    {
        // One GROUP BY over the (TemplateId, Version) index: at most one row per template.
        var newest = await db.EmailTemplateVersions.AsNoTracking()
            .GroupBy(v => v.TemplateId)
            .Select(g => new { TemplateId = g.Key, Version = g.Max(v => v.Version) })
            .ToListAsync(cancellationToken);
        var active = new Dictionary<EmailTemplateId, EmailTemplate>();
        foreach (var row in newest)
        {
            if (!_parsed.TryGetValue(row.TemplateId, out var parsed) || parsed.Version != row.Version)
            {
                parsed = new Parsed(row.Version, await ParseAsync(db, row.TemplateId, row.Version, cancellationToken));
                // Two loads may race here with different versions; the one read later must not be replaced by the older.
                _parsed.AddOrUpdate(row.TemplateId, parsed, (_, current) => current.Version > parsed.Version ? current : parsed);
            }
            active[row.TemplateId] = parsed.Template;
        }
        return new ActiveEmailTemplates(renderer, active);
    }

    private async Task<EmailTemplate> ParseAsync(AppDbContext db, EmailTemplateId id, int version, CancellationToken cancellationToken)
    {
        var source = await db.EmailTemplateVersions.AsNoTracking()
            .Where(v => v.TemplateId == id && v.Version == version)
            .Select(v => v.Source)
            .SingleAsync(cancellationToken);
        if (source is null)
        {
            return renderer.Default(id);
        }
        var validation = TemplateValidator.Validate(id, source);
        if (validation.Template is { } template)
        {
            return template;
        }
        // Only validated text is saved, so this means a release renamed a field the saved version uses. An email
        // from the default is better than no email; the templates page shows the version as broken.
        LogInvalidVersion(logger, id, version, string.Join("; ", validation.Errors));
        return renderer.Default(id);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Version {Version} of the {TemplateId} email template no longer validates ({Errors}); the shipped default is used until an administrator saves a fixed version.")]
    private static partial void LogInvalidVersion(ILogger logger, EmailTemplateId templateId, int version, string errors);
}

/// <summary>The templates in force at one moment; render every email of one operation from the same set.</summary>
public sealed class ActiveEmailTemplates
{
    private readonly EmailTemplateRenderer _renderer;
    private readonly IReadOnlyDictionary<EmailTemplateId, EmailTemplate> _saved;

    internal ActiveEmailTemplates(EmailTemplateRenderer renderer, IReadOnlyDictionary<EmailTemplateId, EmailTemplate> saved)
    {
        _renderer = renderer;
        _saved = saved;
    }

    public EmailTemplate this[EmailTemplateId id] => _saved.TryGetValue(id, out var template) ? template : _renderer.Default(id);

    public RenderedEmail Render(EmailTemplateId id, NotificationModel model) => _renderer.Render(this[id], model);

    public RenderedEmail Render(EmailTemplateId id, AccountEmailModel model) => _renderer.Render(this[id], model);

    public RenderedEmail Render(EmailTemplateId id, OverdueDigestModel model) => _renderer.Render(this[id], model);
}
