using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Users;

/// <summary>
/// Limits on the account forms (sign-in, two-factor codes, registration, password reset), so passwords and codes
/// cannot be guessed at speed and reset mails cannot be sent in bulk. Two limits: per client address, applied by
/// the rate-limiting middleware to every POST of a page marked <c>[EnableRateLimiting(AccountRateLimiting.PolicyName)]</c>;
/// and per account name, checked by the page itself (only it has read the form), counted for names that do not
/// exist too, so the answer never tells whether an account exists.
/// </summary>
public static class AccountRateLimiting
{
    public const string PolicyName = "AccountForms";

    public static IServiceCollection AddAccountRateLimiting(this IServiceCollection services)
    {
        services.AddSingleton<AccountAttemptLimiter>();
        services.AddRateLimiter(options => options.AddPolicy<string, AccountFormsPolicy>(PolicyName));
        return services;
    }

    /// <summary>The sentence shown for both limits, naming no account.</summary>
    public static string RefusalMessage(AccountSecurityOptions options) =>
        $"Too many attempts. Wait {options.AttemptWindowMinutes} minute{(options.AttemptWindowMinutes == 1 ? "" : "s")} and try again.";

    internal static void MarkRefused(HttpResponse response, AccountSecurityOptions options)
    {
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = ((int)options.AttemptWindow.TotalSeconds).ToString(CultureInfo.InvariantCulture);
    }

    private sealed class AccountFormsPolicy(IOptions<AccountSecurityOptions> options) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => RejectAsync;

        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        {
            // Showing the forms costs nothing to an attacker's advantage; only submitting them is an attempt.
            if (!HttpMethods.IsPost(httpContext.Request.Method))
            {
                return RateLimitPartition.GetNoLimiter("");
            }
            // Behind a reverse proxy this is the client's address only once forwarded headers are applied.
            var settings = options.Value;
            return RateLimitPartition.GetFixedWindowLimiter("ip:" + httpContext.Connection.RemoteIpAddress, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.AttemptsPerAddress,
                Window = settings.AttemptWindow,
                QueueLimit = 0,
            });
        }

        private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
        {
            var response = context.HttpContext.Response;
            MarkRefused(response, options.Value);
            response.ContentType = "text/html; charset=utf-8";
            var message = WebUtility.HtmlEncode(RefusalMessage(options.Value));
            await response.WriteAsync($"""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Too many attempts · DisclosureDesk</title></head>
                <body><main><h1>Too many attempts</h1><p role="alert">{message}</p><p><a href="/Account/Login">Back to sign-in</a></p></main></body></html>
                """, cancellationToken);
        }
    }
}

/// <summary>The per-account-name limit of <see cref="AccountRateLimiting"/>; one instance for the app.</summary>
public sealed class AccountAttemptLimiter : IDisposable
{
    public const string SignIn = "sign-in";
    public const string TwoFactor = "two-factor";
    public const string Mail = "mail";
    public const string PasswordReset = "password-reset";

    private readonly IOptions<AccountSecurityOptions> _options;
    private readonly PartitionedRateLimiter<string> _limiter;

    public AccountAttemptLimiter(IOptions<AccountSecurityOptions> options)
    {
        _options = options;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.AttemptsPerAccount,
            Window = options.Value.AttemptWindow,
            QueueLimit = 0,
        }));
    }

    /// <summary>
    /// Counts an attempt of <paramref name="purpose"/> on <paramref name="accountName"/>; false when the name has
    /// used up its attempts, after which the response is marked <c>429</c> and the caller shows <see cref="RefusalMessage"/>.
    /// </summary>
    public bool TryAttempt(string purpose, string? accountName, HttpResponse response)
    {
        using var lease = _limiter.AttemptAcquire($"{purpose}:{accountName?.Trim().ToUpperInvariant()}");
        if (!lease.IsAcquired)
        {
            AccountRateLimiting.MarkRefused(response, _options.Value);
        }
        return lease.IsAcquired;
    }

    public string RefusalMessage => AccountRateLimiting.RefusalMessage(_options.Value);

    public void Dispose() => _limiter.Dispose();
}
