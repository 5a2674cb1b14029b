using DisclosureDesk.Features.Export;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
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
            case "export":
                return await ExportAsync(scope.ServiceProvider, args[1..]);
            default:
                await Console.Error.WriteLineAsync($"Unknown command '{args[0]}'. Commands: verify-audit, export. Run without a command to start the web app.");
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

    private const string ExportUsage = "Usage: export REFERENCE [--format json|md|csv|html|csaf|ics] [--profile full|owner|public] [--output FILE]";

    /// <summary>
    /// Exports one case as the team sees it (the command line runs on the server, as an operator who may read
    /// every case); the profile decides what leaves it. Writes to stdout unless --output names a file.
    /// </summary>
    private static async Task<int> ExportAsync(IServiceProvider services, string[] args)
    {
        string? reference = null, formatName = "json", profileName = "full", output = null;
        for (var i = 0; i < args.Length; i++)
        {
            var option = args[i];
            if (option is "--format" or "--profile" or "--output")
            {
                if (i + 1 >= args.Length)
                {
                    await Console.Error.WriteLineAsync($"{option} needs a value. {ExportUsage}");
                    return 2;
                }
                var value = args[++i];
                switch (option)
                {
                    case "--format": formatName = value; break;
                    case "--profile": profileName = value; break;
                    default: output = value; break;
                }
            }
            else if (reference is null && !option.StartsWith('-'))
            {
                reference = option;
            }
            else
            {
                await Console.Error.WriteLineAsync($"Unexpected argument '{option}'. {ExportUsage}");
                return 2;
            }
        }
        if (reference is null)
        {
            await Console.Error.WriteLineAsync($"Which case? {ExportUsage}");
            return 2;
        }
        if (!ExportChoices.TryParseFormat(formatName, out var format))
        {
            await Console.Error.WriteLineAsync($"Unknown format '{formatName}'. Formats: {ExportChoices.FormatNames}.");
            return 2;
        }
        if (!ExportChoices.TryParseProfile(profileName, out var profile))
        {
            await Console.Error.WriteLineAsync($"Unknown profile '{profileName}'. Profiles: {ExportChoices.ProfileNames}.");
            return 2;
        }
        var db = services.GetRequiredService<AppDbContext>();
        if ((await db.Database.GetPendingMigrationsAsync()).Any())
        {
            await Console.Error.WriteLineAsync("The database is missing migrations (or does not exist yet); start the app once to bring it up to date, then export.");
            return 2;
        }

        var operatorUser = new CurrentUser("command-line", Environment.UserName, IsAdministrator: true, IsApproved: true, TimeZoneInfo.Utc);
        await using var download = await services.GetRequiredService<CaseExport.Handler>().OpenAsync(new CaseExport.Query(reference, format, profile), operatorUser);
        if (download is null)
        {
            await Console.Error.WriteLineAsync($"No case {reference}.");
            return 2;
        }
        if (output is null)
        {
            await using var stdout = Console.OpenStandardOutput();
            await download.WriteToAsync(stdout);
        }
        else
        {
            // Written beside the target and moved into place, so a failed export leaves no half file behind.
            var partial = output + ".partial";
            long length;
            try
            {
                await using (var file = File.Create(partial))
                {
                    await download.WriteToAsync(file);
                    length = file.Length;
                }
                File.Move(partial, output, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
            await Console.Error.WriteLineAsync($"Wrote {download.FileName} ({length:N0} bytes) to {output}.");
        }
        return 0;
    }
}
