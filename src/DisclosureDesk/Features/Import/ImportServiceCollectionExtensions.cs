namespace DisclosureDesk.Features.Import;

public static class ImportServiceCollectionExtensions
{
    /// <summary>Importing scan results (JSON lines, Nuclei, CSV) into cases as a background job. See ADR-020.</summary>
    public static IHostApplicationBuilder AddImport(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ImportOptions>()
            .BindConfiguration(ImportOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddScoped<ImportScanResults.Handler>();
        builder.Services.AddScoped<ImportCasesJob>();
        builder.Services.AddScoped<LookUpImportOwners.Handler>();
        builder.Services.AddScoped<ResolveImportOwnersJob>();
        builder.Services.AddScoped<DiscardUnusedImportsJob>();
        return builder;
    }
}
