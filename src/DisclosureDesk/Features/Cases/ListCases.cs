using System.Globalization;
using System.Linq.Expressions;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Cases;

/// <summary>
/// The case list: search, filters, sorting and keyset paging. Keyset paging (seek to the row after the
/// last one shown, on an index of (sort column, Id)) costs the same on page 5,000 as on page 1, which
/// offset paging cannot (see docs/benchmarks.md).
/// </summary>
public static class ListCases
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 200;
    public const int CountCap = 1000;

    public enum SortOrder
    {
        Newest,
        Oldest,
        RecentlyUpdated,
        SeverityHighFirst,
        Host,
    }

    public sealed record Query
    {
        public string? Search { get; set; }
        public CaseStatus? Status { get; set; }
        public Severity? Severity { get; set; }
        public string? LeadId { get; set; }
        public ServiceEngine? Service { get; set; }
        public bool OpenOnly { get; set; }
        public SortOrder Sort { get; set; }

        /// <summary>Opaque position from a previous page; null for the first page.</summary>
        public string? Cursor { get; set; }
        public int PageSize { get; set; } = DefaultPageSize;
    }

    public sealed record Row(
        int Id,
        string Reference,
        string Title,
        CaseStatus Status,
        Severity Severity,
        ServiceEngine Service,
        string Host,
        int Port,
        string? OrganizationName,
        string? LeadName,
        DateTime CreatedAt,
        DateTime UpdatedAt);

    /// <param name="MatchCount">Matching cases, counted up to <see cref="CountCap"/> + 1.</param>
    public sealed record Page(IReadOnlyList<Row> Rows, string? NextCursor, string? PreviousCursor, int MatchCount)
    {
        public bool MatchCountIsCapped => MatchCount > CountCap;
    }

    public sealed record LeadOption(string Id, string Name);

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory)
    {
        public async Task<Page> HandleAsync(Query query, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await RunAsync(db, query, user, cancellationToken);
        }

        /// <summary>People who lead at least one case the user can see: the lead filter's choices.</summary>
        public async Task<IReadOnlyList<LeadOption>> LeadsAsync(CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var leadIds = db.CasesVisibleTo(user).Select(c => c.LeadId).Distinct();
            return await db.Users.AsNoTracking()
                .Where(u => leadIds.Contains(u.Id))
                .OrderBy(u => u.DisplayName ?? u.Email)
                .Select(u => new LeadOption(u.Id, u.DisplayName ?? u.Email ?? u.Id))
                .ToListAsync(cancellationToken);
        }
    }

    internal static async Task<Page> RunAsync(AppDbContext db, Query query, CurrentUser user, CancellationToken cancellationToken)
    {
        var pageSize = Math.Clamp(query.PageSize, 1, MaxPageSize);
        var filtered = Filter(db.CasesVisibleTo(user).AsNoTracking(), query);
        var cursor = Cursor.Parse(query.Cursor, query.Sort);
        var backwards = cursor?.Backwards == true;

        var seek = cursor is null ? filtered : filtered.Where(Seek(query.Sort, cursor));
        var ordered = Order(seek, query.Sort, reverse: backwards);
        var rows = await ordered
            .Take(pageSize + 1)
            .Select(c => new Row(c.Id, c.Reference, c.Title, c.Status, c.Severity, c.Service, c.Host, c.Port, c.OrganizationName,
                db.Users.Where(u => u.Id == c.LeadId).Select(u => u.DisplayName ?? u.Email).FirstOrDefault(),
                c.CreatedAt, c.UpdatedAt))
            .ToListAsync(cancellationToken);
        var matchCount = await filtered.Take(CountCap + 1).CountAsync(cancellationToken);

        var hasMore = rows.Count > pageSize;
        if (hasMore)
        {
            rows.RemoveAt(rows.Count - 1);
        }
        if (backwards)
        {
            rows.Reverse();
        }
        if (rows.Count == 0)
        {
            return new Page(rows, null, null, matchCount);
        }

        var hasNext = backwards ? cursor is not null : hasMore;
        var hasPrevious = backwards ? hasMore : cursor is not null;
        return new Page(
            rows,
            hasNext ? Cursor.After(query.Sort, rows[^1]).Encode() : null,
            hasPrevious ? Cursor.Before(query.Sort, rows[0]).Encode() : null,
            matchCount);
    }

    private static IQueryable<Case> Filter(IQueryable<Case> cases, Query query)
    {
        if (query.Status is { } status)
        {
            cases = cases.Where(c => c.Status == status);
        }
        else if (query.OpenOnly)
        {
            cases = cases.Where(c => c.Status != CaseStatus.Closed && c.Status != CaseStatus.Rejected && c.Status != CaseStatus.Published);
        }
        if (query.Severity is { } severity)
        {
            cases = cases.Where(c => c.Severity == severity);
        }
        if (query.Service is { } service)
        {
            cases = cases.Where(c => c.Service == service);
        }
        if (!string.IsNullOrEmpty(query.LeadId))
        {
            cases = cases.Where(c => c.LeadId == query.LeadId);
        }
        return string.IsNullOrWhiteSpace(query.Search) ? cases : Search(cases, query.Search.Trim());
    }

    /// <summary>
    /// A query shaped like a host or a case id is matched by prefix on indexed, lower-cased keys, so the
    /// common "which case was that IP?" stays an index seek. Anything else also searches titles and
    /// organisation names anywhere in the text.
    /// </summary>
    private static IQueryable<Case> Search(IQueryable<Case> cases, string text)
    {
        var key = HostNameAttribute.Key(text);
        var upper = key + "\uffff";
        var reference = text.ToUpperInvariant();
        var referenceUpper = reference + "\uffff";
        var looksLikeHost = !text.Contains(' ', StringComparison.Ordinal) && (text.Contains('.', StringComparison.Ordinal) || text.Contains(':', StringComparison.Ordinal));
        if (looksLikeHost || (reference.Contains('-', StringComparison.Ordinal) && !text.Contains(' ', StringComparison.Ordinal)))
        {
            return cases.Where(c =>
                (string.Compare(c.HostKey, key) >= 0 && string.Compare(c.HostKey, upper) < 0)
                || (string.Compare(c.Reference, reference) >= 0 && string.Compare(c.Reference, referenceUpper) < 0)
                || (string.Compare(c.OrganizationKey, key) >= 0 && string.Compare(c.OrganizationKey, upper) < 0));
        }
        var pattern = "%" + EscapeLike(text.ToLowerInvariant()) + "%";
        return cases.Where(c =>
            (string.Compare(c.HostKey, key) >= 0 && string.Compare(c.HostKey, upper) < 0)
            || (string.Compare(c.Reference, reference) >= 0 && string.Compare(c.Reference, referenceUpper) < 0)
            || EF.Functions.Like(c.Title.ToLower(), pattern, "\\")
            || EF.Functions.Like(c.OrganizationKey!, pattern, "\\"));
    }

    private static string EscapeLike(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static IQueryable<Case> Order(IQueryable<Case> cases, SortOrder sort, bool reverse)
    {
        var descending = IsDescending(sort) != reverse;
        return sort switch
        {
            SortOrder.Oldest or SortOrder.Newest => descending
                ? cases.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id)
                : cases.OrderBy(c => c.CreatedAt).ThenBy(c => c.Id),
            SortOrder.RecentlyUpdated => descending
                ? cases.OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id)
                : cases.OrderBy(c => c.UpdatedAt).ThenBy(c => c.Id),
            SortOrder.SeverityHighFirst => descending
                ? cases.OrderByDescending(c => c.Severity).ThenByDescending(c => c.Id)
                : cases.OrderBy(c => c.Severity).ThenBy(c => c.Id),
            SortOrder.Host => descending
                ? cases.OrderByDescending(c => c.HostKey).ThenByDescending(c => c.Id)
                : cases.OrderBy(c => c.HostKey).ThenBy(c => c.Id),
            _ => throw new ArgumentOutOfRangeException(nameof(sort)),
        };
    }

    private static bool IsDescending(SortOrder sort) => sort is SortOrder.Newest or SortOrder.RecentlyUpdated or SortOrder.SeverityHighFirst;

    /// <summary>Rows strictly after the cursor in the direction of travel: (key, Id) compared as a pair.</summary>
    private static Expression<Func<Case, bool>> Seek(SortOrder sort, Cursor cursor)
    {
        var forwardIsDescending = IsDescending(sort);
        var goLower = forwardIsDescending != cursor.Backwards;
        var parameter = Expression.Parameter(typeof(Case), "c");
        var id = Expression.Property(parameter, nameof(Case.Id));
        var idValue = Boxed(cursor.Id);

        Expression key;
        Expression keyValue;
        switch (sort)
        {
            case SortOrder.Newest or SortOrder.Oldest:
                key = Expression.Property(parameter, nameof(Case.CreatedAt));
                keyValue = Boxed(new DateTime(long.Parse(cursor.Key, CultureInfo.InvariantCulture), DateTimeKind.Utc));
                break;
            case SortOrder.RecentlyUpdated:
                key = Expression.Property(parameter, nameof(Case.UpdatedAt));
                keyValue = Boxed(new DateTime(long.Parse(cursor.Key, CultureInfo.InvariantCulture), DateTimeKind.Utc));
                break;
            case SortOrder.SeverityHighFirst:
                key = Expression.Property(parameter, nameof(Case.Severity));
                keyValue = Expression.Convert(Boxed(int.Parse(cursor.Key, CultureInfo.InvariantCulture)), typeof(Severity));
                break;
            case SortOrder.Host:
                var compare = typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!;
                key = Expression.Call(compare, Expression.Property(parameter, nameof(Case.HostKey)), Boxed(cursor.Key));
                keyValue = Expression.Constant(0);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(sort));
        }

        if (key.Type.IsEnum)
        {
            key = Expression.Convert(key, typeof(int));
            keyValue = Expression.Convert(keyValue, typeof(int));
        }
        var beyondKey = goLower ? Expression.LessThan(key, keyValue) : Expression.GreaterThan(key, keyValue);
        var sameKey = Expression.Equal(key, keyValue);
        var beyondId = goLower ? Expression.LessThan(id, idValue) : Expression.GreaterThan(id, idValue);
        // The pair comparison alone is an OR that PostgreSQL cannot turn into an index range; the
        // redundant bound on the key alone gives both databases the range to seek.
        var keyBound = goLower ? Expression.LessThanOrEqual(key, keyValue) : Expression.GreaterThanOrEqual(key, keyValue);
        return Expression.Lambda<Func<Case, bool>>(
            Expression.AndAlso(keyBound, Expression.OrElse(beyondKey, Expression.AndAlso(sameKey, beyondId))), parameter);
    }

    /// <summary>Wraps a value so EF sends it as a parameter rather than inlining it into the SQL.</summary>
    private static MemberExpression Boxed<T>(T value) =>
        Expression.Property(Expression.Constant(new StrongBox<T>(value)), nameof(StrongBox<T>.Value));

    private sealed class StrongBox<T>(T value)
    {
        public T Value { get; } = value;
    }

    private sealed record Cursor(SortOrder Sort, bool Backwards, string Key, int Id)
    {
        public static Cursor After(SortOrder sort, Row row) => new(sort, false, KeyOf(sort, row), row.Id);
        public static Cursor Before(SortOrder sort, Row row) => new(sort, true, KeyOf(sort, row), row.Id);

        public string Encode() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{(int)Sort}|{(Backwards ? 1 : 0)}|{Id}|{Key}"))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        /// <summary>A cursor from another sort order or a mangled one is ignored: the list restarts at page 1.</summary>
        public static Cursor? Parse(string? encoded, SortOrder sort)
        {
            if (string.IsNullOrEmpty(encoded))
            {
                return null;
            }
            try
            {
                var base64 = encoded.Replace('-', '+').Replace('_', '/');
                base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
                var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(base64)).Split('|', 4);
                if (parts.Length != 4 || parts[0] != ((int)sort).ToString(CultureInfo.InvariantCulture)
                    || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    return null;
                }
                var cursor = new Cursor(sort, parts[1] == "1", parts[3], id);
                return cursor.KeyIsValid() ? cursor : null;
            }
            catch (FormatException)
            {
                return null;
            }
        }

        private bool KeyIsValid() => Sort switch
        {
            SortOrder.Host => true,
            SortOrder.SeverityHighFirst => int.TryParse(Key, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            _ => long.TryParse(Key, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks <= DateTime.MaxValue.Ticks,
        };

        private static string KeyOf(SortOrder sort, Row row) => sort switch
        {
            SortOrder.Newest or SortOrder.Oldest => row.CreatedAt.Ticks.ToString(CultureInfo.InvariantCulture),
            SortOrder.RecentlyUpdated => row.UpdatedAt.Ticks.ToString(CultureInfo.InvariantCulture),
            SortOrder.SeverityHighFirst => ((int)row.Severity).ToString(CultureInfo.InvariantCulture),
            SortOrder.Host => row.Host.ToLowerInvariant(),
            _ => throw new ArgumentOutOfRangeException(nameof(sort)),
        };
    }
}
