using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.RateLimiting;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace DisclosureDesk.Features.Api;

public static class ApiPolicies
{
    /// <summary>A live token of an approved user, on the API scheme only: no cookie, so no cross-site request can use it.</summary>
    public const string Read = "ApiRead";

    /// <summary>As <see cref="Read"/>, with the write scope.</summary>
    public const string Write = "ApiWrite";

    public const string RateLimit = "Api";
}

public static class ApiServiceCollectionExtensions
{
    public const string DocumentPath = "/openapi/v1.json";
    public const string ReferencePath = "/api/reference";

    public static IHostApplicationBuilder AddApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddScoped<PersonalAccessTokens.Handler>();
        services.AddProblemDetails();
        // Enums by name in and out: "severity": "High" reads better in a script than 3, and survives reordering.
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenAuthenticationHandler>(ApiTokenAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(ApiPolicies.Read, policy => policy
                .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName)
                .RequireRole(Roles.Administrator, Roles.Researcher))
            .AddPolicy(ApiPolicies.Write, policy => policy
                .AddAuthenticationSchemes(ApiTokenAuthenticationHandler.SchemeName)
                .RequireRole(Roles.Administrator, Roles.Researcher)
                .RequireClaim(ApiTokenAuthenticationHandler.ScopeClaim, nameof(TokenScope.Write)));

        services.AddRateLimiter(options =>
        {
            options.AddPolicy(ApiPolicies.RateLimit, context =>
            {
                var permits = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RequestsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(PartitionKey(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            options.OnRejected = async (rejected, cancellationToken) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                        statusCode: StatusCodes.Status429TooManyRequests,
                        title: "Too many requests",
                        detail: $"This token made more than its requests per minute; try again in {seconds} s.")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });

        services.AddOpenApi("v1", options =>
        {
            options.ShouldInclude = description => description.RelativePath?.StartsWith("api/v1/", StringComparison.Ordinal) == true;
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "DisclosureDesk API";
                document.Info.Description = "Cases for scanners and scripts. Authenticate with a personal access token from Account → API tokens: `Authorization: Bearer ddpat_…`.";
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["PersonalAccessToken"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A personal access token (ddpat_…); read scope for GET, write scope for POST.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("PersonalAccessToken", document)] = [] }];
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>
    /// Per token, so one runaway script does not starve its owner's others; requests without a well-formed token
    /// share their IP address's allowance. The key is the token's hash, so the limiter holds no secret.
    /// </summary>
    private static string PartitionKey(HttpContext context)
    {
        string? header = context.Request.Headers.Authorization;
        var token = header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        return PersonalAccessTokens.IsWellFormed(token)
            ? "token:" + SecretTokens.Hash(token!)
            : "ip:" + context.Connection.RemoteIpAddress;
    }

    /// <summary>
    /// <c>/api/v1</c>: cases for scanners and scripts, through the same handlers, and so the same
    /// <see cref="CaseAccess"/> rule, as the pages. Also the OpenAPI document and its reference page, which
    /// describe the API and hold no data, so they need no sign-in (ADR-019).
    /// </summary>
    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi(DocumentPath).AllowAnonymous();
        endpoints.MapScalarApiReference(ReferencePath, options =>
            {
                options.WithTitle("DisclosureDesk API").WithOpenApiRoutePattern(DocumentPath).DisableAgent();
                // The page's script comes from the package (no CDN); these keep it from calling Scalar's services too.
                options.Telemetry = false;
                options.ShowDeveloperTools = DeveloperToolsVisibility.Never;
            })
            .AllowAnonymous();

        var api = endpoints.MapGroup("/api/v1")
            .RequireAuthorization(ApiPolicies.Read)
            .RequireRateLimiting(ApiPolicies.RateLimit)
            .WithTags("Cases")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapPost("/cases", CreateCaseAsync)
            .RequireAuthorization(ApiPolicies.Write)
            .WithName("CreateCase")
            .WithSummary("File a case (a finding) led by the token's user.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/cases", ListCasesAsync)
            .WithName("ListCases")
            .WithSummary("The cases the token's user may see, a page at a time.");
        api.MapGet("/cases/{reference}", GetCaseAsync)
            .WithName("GetCase")
            .WithSummary("One case.");
        api.MapPost("/cases/{reference}/notes", AddNoteAsync)
            .RequireAuthorization(ApiPolicies.Write)
            .WithName("AddCaseNote")
            .WithSummary("Add a note to the case's timeline.")
            .ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/cases/{reference}/export", ExportCaseAsync)
            .WithName("ExportCase")
            .WithSummary("Download the case in an export format and redaction profile (as the case page's export).")
            .Produces(StatusCodes.Status200OK, contentType: "application/octet-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        // Without this, an unknown API path would fall to the sign-in redirect and the HTML not-found page.
        endpoints.Map("/api/v1/{**path}", () => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: "No such API endpoint."))
            .AllowAnonymous()
            .RequireRateLimiting(ApiPolicies.RateLimit)
            .ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<Results<Created<ApiCase>, ValidationProblem>> CreateCaseAsync(
        CaseForm form, ClaimsPrincipal principal, CreateCase.Handler create, GetCase.Handler get, CancellationToken cancellationToken)
    {
        var user = ApiUser(principal);
        // The API speaks UTC; the pages read these as the user's wall-clock time.
        var outcome = await create.HandleAsync(form.ToUtc(TimeZoneInfo.Utc), user, cancellationToken);
        if (!outcome.Result.Succeeded)
        {
            return Invalid(outcome.Result);
        }
        var details = await get.HandleAsync(outcome.Value!, user, cancellationToken);
        return TypedResults.Created($"/api/v1/cases/{Uri.EscapeDataString(outcome.Value!)}", ApiCase.From(details!));
    }

    private static async Task<Ok<ApiCasePage>> ListCasesAsync(
        [AsParameters] ApiCaseListQuery query, ClaimsPrincipal principal, ListCases.Handler list, CancellationToken cancellationToken)
    {
        var page = await list.HandleAsync(new ListCases.Query
        {
            Search = query.Search,
            Status = query.Status,
            Severity = query.Severity,
            Service = query.Service,
            OpenOnly = query.OpenOnly ?? false,
            Sort = query.Sort ?? ListCases.SortOrder.Newest,
            Cursor = query.Cursor,
            PageSize = query.PageSize ?? ListCases.DefaultPageSize,
        }, ApiUser(principal), cancellationToken);
        return TypedResults.Ok(new ApiCasePage(page.Rows.Select(ApiCaseSummary.From).ToList(), page.NextCursor, page.PreviousCursor,
            page.MatchCount, page.MatchCountIsCapped));
    }

    private static async Task<Results<Ok<ApiCase>, ProblemHttpResult>> GetCaseAsync(
        string reference, ClaimsPrincipal principal, GetCase.Handler get, CancellationToken cancellationToken)
    {
        var details = await get.HandleAsync(reference, ApiUser(principal), cancellationToken);
        return details is null ? CaseNotFound() : TypedResults.Ok(ApiCase.From(details));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AddNoteAsync(
        string reference, ApiNote note, ClaimsPrincipal principal, AddCaseNote.Handler add, CancellationToken cancellationToken)
    {
        var result = await add.HandleAsync(reference, new AddCaseNote.Command { Text = note.Text ?? "", Visibility = note.Visibility }, ApiUser(principal), cancellationToken);
        if (ReferenceEquals(result, CommandResult.NotFound))
        {
            return CaseNotFound();
        }
        return result.Succeeded ? TypedResults.NoContent() : Invalid(result);
    }

    private static async Task<IResult> ExportCaseAsync(
        string reference, string? format, string? profile, HttpContext context, CaseExport.Handler handler, CancellationToken cancellationToken)
    {
        if (!ExportChoices.TryParseFormat(format ?? "json", out var exportFormat))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"Unknown format '{format}'. Formats: {ExportChoices.FormatNames}."] });
        }
        if (!ExportChoices.TryParseProfile(profile ?? "public", out var exportProfile))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["profile"] = [$"Unknown profile '{profile}'. Profiles: {ExportChoices.ProfileNames}."] });
        }
        await using var download = await handler.OpenAsync(new CaseExport.Query(reference, exportFormat, exportProfile), ApiUser(context.User), cancellationToken);
        if (download is null)
        {
            return CaseNotFound();
        }
        await download.SendAsync(context.Response, cancellationToken);
        return Results.Empty;
    }

    /// <summary>
    /// The token's user, named on the timeline as acting through the token, so a note or case filed by a script
    /// says so while the actor stays the user.
    /// </summary>
    private static CurrentUser ApiUser(ClaimsPrincipal principal)
    {
        var user = CurrentUser.From(principal) ?? throw new UnauthorizedAccessException("The API policy lets only token users in.");
        return user with { Name = $"{user.Name} via API token '{principal.FindFirstValue(ApiTokenAuthenticationHandler.TokenNameClaim)}'" };
    }

    /// <summary>The same answer for a case that does not exist and one the user may not see, so references cannot be probed.</summary>
    private static ProblemHttpResult CaseNotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found", detail: "No such case, or you are not on its team.");

    private static ValidationProblem Invalid(CommandResult result) =>
        TypedResults.ValidationProblem(result.Errors.ToDictionary(e => e.Key.Length == 0 ? "" : JsonNamingPolicy.CamelCase.ConvertName(e.Key), e => e.Value));
}
