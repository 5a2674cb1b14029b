namespace DisclosureDesk.Features.Cases;

/// <summary>Column sizes, shared by the schema and the form validation so the two cannot drift.</summary>
public static class CaseLimits
{
    public const int ReferenceLength = 32;
    public const int TitleLength = 200;
    public const int SummaryLength = 20_000;
    public const int TagsLength = 500;
    public const int HostLength = 253;
    public const int ShortTextLength = 100;
    public const int NameLength = 200;
    public const int EmailLength = 254;
    public const int UrlLength = 500;
    public const int LongTextLength = 2_000;
    public const int NoteLength = 4_000;
}
