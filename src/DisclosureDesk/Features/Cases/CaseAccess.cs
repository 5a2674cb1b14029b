using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;

namespace DisclosureDesk.Features.Cases;

/// <summary>
/// The one rule of who sees a case: administrators see all; everyone else only the cases they lead or
/// are a member of. Every query and command that touches a case starts from here.
/// </summary>
public static class CaseAccess
{
    public static IQueryable<Case> CasesVisibleTo(this AppDbContext db, CurrentUser user)
    {
        if (user.IsAdministrator)
        {
            return db.Cases;
        }
        // An IN over the user's memberships lets both databases seek the (UserId, CaseId) index once;
        // a correlated EXISTS per case made a researcher's list 40x slower than an administrator's.
        var memberOf = db.CaseMembers.Where(m => m.UserId == user.Id).Select(m => m.CaseId);
        return db.Cases.Where(c => c.LeadId == user.Id || memberOf.Contains(c.Id));
    }
}

/// <summary>The outcome of a command: success, or messages keyed by the form field they belong to ("" for the form).</summary>
public sealed class CommandResult
{
    private CommandResult(IReadOnlyDictionary<string, string[]> errors) => Errors = errors;

    public IReadOnlyDictionary<string, string[]> Errors { get; }
    public bool Succeeded => Errors.Count == 0;

    public static CommandResult Success { get; } = new(new Dictionary<string, string[]>());

    public static CommandResult Fail(string message, string field = "") =>
        new(new Dictionary<string, string[]> { [field] = [message] });

    public static CommandResult Fail(IEnumerable<System.ComponentModel.DataAnnotations.ValidationResult> results) =>
        new(results
            .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : [""]).Select(m => (Member: m, Message: r.ErrorMessage ?? "Invalid value.")))
            .GroupBy(x => x.Member)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Message).ToArray()));

    public static CommandResult NotFound { get; } = Fail("No such case, or you are not on its team.");

    public string Summary => string.Join(" ", Errors.Values.SelectMany(m => m));
}

public sealed class CommandResult<T>
{
    public CommandResult Result { get; }
    public T? Value { get; }

    private CommandResult(CommandResult result, T? value)
    {
        Result = result;
        Value = value;
    }

    public static implicit operator CommandResult<T>(CommandResult failure) => new(failure, default);
    public static CommandResult<T> Ok(T value) => new(CommandResult.Success, value);
}

internal static class ModelValidation
{
    public static List<System.ComponentModel.DataAnnotations.ValidationResult> Validate(object model)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        System.ComponentModel.DataAnnotations.Validator.TryValidateObject(model, new(model), results, validateAllProperties: true);
        return results;
    }
}
