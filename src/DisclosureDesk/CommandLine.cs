using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk;

/// <summary>Commands run with <c>dotnet run --project src/DisclosureDesk -- COMMAND</c> instead of the web app.</summary>
internal static class CommandLine
{
    public static bool IsCommand(string[] args) => args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=', StringComparison.Ordinal);

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        await using var scope = app.Services.CreateAsyncScope();
        switch (args[0])
        {
            case "verify-audit":
                return await VerifyAuditAsync(scope.ServiceProvider);
            default:
                await Console.Error.WriteLineAsync($"Unknown command '{args[0]}'. Commands: verify-audit. Run without a command to start the web app.");
                return 2;
        }
    }

    private static async Task<int> VerifyAuditAsync(IServiceProvider services)
    {
        var db = services.GetRequiredService<AppDbContext>();
        if ((await db.Database.GetPendingMigrationsAsync()).Any())
        {
            await Console.Error.WriteLineAsync("The database is missing migrations (or does not exist yet); start the app once to bring it up to date, then verify.");
            return 2;
        }
        var report = await services.GetRequiredService<VerifyAuditTrail.Handler>().HandleAsync();
        if (report.FirstBroken is { } broken)
        {
            await Console.Error.WriteLineAsync($"BROKEN: case {broken.Reference}: {broken.Verification.Problem}");
            Console.WriteLine($"Checked {report.CasesChecked} case(s) and {report.EventsChecked} event(s) before the first break.");
            return 1;
        }
        Console.WriteLine($"OK: {report.CasesChecked} case(s), {report.EventsChecked} timeline event(s); every audit chain verifies.");
        return 0;
    }
}
