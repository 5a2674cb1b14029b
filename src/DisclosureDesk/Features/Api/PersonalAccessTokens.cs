using System.ComponentModel.DataAnnotations;
using DisclosureDesk.Infrastructure.Data;
using DisclosureDesk.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Api;

/// <summary>
/// Personal access tokens for the JSON API: made, listed and revoked by their owner on the account page,
/// shown once, stored as a SHA-256 hash (ADR-019).
/// </summary>
public static class PersonalAccessTokens
{
    /// <summary>Marks a token as this app's, so secret scanners (and people) can recognise a leaked one.</summary>
    public const string Prefix = "ddpat_";
    public const int TokenLength = 6 + SecretTokens.Length;
    public const int NameLength = 50;
    public const int MaxExpiryDays = 366;

    public static string NewToken() => Prefix + SecretTokens.New();

    /// <summary>Whether <paramref name="token"/> could be one this app made, so junk never reaches the database.</summary>
    public static bool IsWellFormed(string? token) =>
        token is { Length: TokenLength } && token.StartsWith(Prefix, StringComparison.Ordinal) && SecretTokens.IsWellFormed(token.AsSpan(Prefix.Length));

    public sealed class CreateForm
    {
        [Required(ErrorMessage = "Name the token, e.g. after the script that will use it.")]
        [StringLength(NameLength, ErrorMessage = "The name can be at most {1} characters.")]
        public string Name { get; set; } = "";

        public TokenScope Scope { get; set; } = TokenScope.Read;

        /// <summary>Days until the token stops working; null for a token that does not expire.</summary>
        [Range(1, MaxExpiryDays, ErrorMessage = "A token expires after 1 to 366 days, or never.")]
        public int? ExpiresInDays { get; set; } = 90;
    }

    public sealed record Listed(int Id, string Name, TokenScope Scope, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? ExpiresAt, DateTime? RevokedAt);

    /// <summary>The token's secret, shown once, and its row.</summary>
    public sealed record Created(string Token, Listed Row);

    /// <summary>A live token of an enabled user, as the authentication handler needs it.</summary>
    public sealed record Match(int Id, string Name, TokenScope Scope, string UserId);

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time, ILogger<Handler> logger)
    {
        /// <summary>The user's tokens, newest first: live, expired and revoked; never a secret.</summary>
        public async Task<IReadOnlyList<Listed>> ListAsync(string userId, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await db.PersonalAccessTokens.AsNoTracking()
                .Where(t => t.UserId == userId)
                .OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id)
                .Select(t => new Listed(t.Id, t.Name, t.Scope, t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.RevokedAt))
                .ToListAsync(cancellationToken);
        }

        /// <summary>Makes a token; the returned secret is never stored, so the caller shows it once.</summary>
        public async Task<(Created? Created, IReadOnlyDictionary<string, string[]> Errors)> CreateAsync(
            string userId, CreateForm form, CancellationToken cancellationToken = default)
        {
            var results = new List<ValidationResult>();
            Validator.TryValidateObject(form, new ValidationContext(form), results, validateAllProperties: true);
            if (string.IsNullOrWhiteSpace(form.Name) && results.Count == 0)
            {
                results.Add(new ValidationResult("Name the token, e.g. after the script that will use it.", [nameof(CreateForm.Name)]));
            }
            if (!Enum.IsDefined(form.Scope))
            {
                results.Add(new ValidationResult("Choose read or write.", [nameof(CreateForm.Scope)]));
            }
            if (results.Count > 0)
            {
                return (null, results
                    .SelectMany(r => r.MemberNames.Select(m => (Member: m, Message: r.ErrorMessage ?? "Invalid value.")))
                    .GroupBy(x => x.Member)
                    .ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray()));
            }

            var now = time.GetUtcNow().UtcDateTime;
            var token = NewToken();
            var row = new PersonalAccessToken
            {
                UserId = userId,
                Name = form.Name.Trim(),
                Scope = form.Scope,
                TokenHash = SecretTokens.Hash(token),
                CreatedAt = now,
                ExpiresAt = form.ExpiresInDays is { } days ? now.AddDays(days) : null,
            };
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            db.PersonalAccessTokens.Add(row);
            await db.SaveChangesAsync(cancellationToken);
            // The account's own audit trail: a token belongs to no case, so it goes to the log, like calendar feeds.
            logger.LogInformation("Personal access token {TokenId} '{TokenName}' ({Scope}, expires {ExpiresAt:O}) created for user {UserId}.",
                row.Id, row.Name, row.Scope, row.ExpiresAt, userId);
            return (new Created(token, new Listed(row.Id, row.Name, row.Scope, row.CreatedAt, null, row.ExpiresAt, null)), new Dictionary<string, string[]>());
        }

        /// <summary>Revokes one of the user's own live tokens; false when there is no such token.</summary>
        public async Task<bool> RevokeAsync(string userId, int tokenId, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var now = time.GetUtcNow().UtcDateTime;
            var revoked = await db.PersonalAccessTokens
                .Where(t => t.Id == tokenId && t.UserId == userId && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, now), cancellationToken);
            if (revoked > 0)
            {
                logger.LogInformation("Personal access token {TokenId} of user {UserId} revoked.", tokenId, userId);
            }
            return revoked > 0;
        }

        /// <summary>
        /// The live token behind <paramref name="token"/>, recording its use; null for a malformed, unknown, revoked
        /// or expired token and for a disabled user, so the caller answers all of them alike. Roles are the caller's.
        /// </summary>
        public async Task<Match?> FindAsync(string? token, CancellationToken cancellationToken = default)
        {
            if (!IsWellFormed(token))
            {
                return null;
            }
            var hash = SecretTokens.Hash(token!);
            var now = time.GetUtcNow().UtcDateTime;
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var match = await (
                    from t in db.PersonalAccessTokens
                    join u in db.Users on t.UserId equals u.Id
                    where t.TokenHash == hash && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now) && !u.IsDisabled
                    select new Match(t.Id, t.Name, t.Scope, t.UserId))
                .AsNoTracking()
                .SingleOrDefaultAsync(cancellationToken);
            if (match is not null)
            {
                await db.PersonalAccessTokens.Where(t => t.Id == match.Id)
                    .ExecuteUpdateAsync(s => s.SetProperty(t => t.LastUsedAt, now), cancellationToken);
            }
            return match;
        }
    }
}
