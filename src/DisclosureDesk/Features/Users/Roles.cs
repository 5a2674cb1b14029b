namespace DisclosureDesk.Features.Users;

public static class Roles
{
    public const string Administrator = "Administrator";
    public const string Researcher = "Researcher";

    public static readonly IReadOnlyList<string> All = [Administrator, Researcher];
}

public static class Policies
{
    /// <summary>An approved account: a researcher or an administrator. Pending accounts only see their own status.</summary>
    public const string ApprovedUser = "ApprovedUser";
    public const string Administrator = "Administrator";
}
