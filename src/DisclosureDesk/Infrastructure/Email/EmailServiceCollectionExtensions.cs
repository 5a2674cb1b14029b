using DisclosureDesk.Infrastructure.Data;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Infrastructure.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>The <c>Email</c> options and the transport they select: SMTP when a host is set, else the pickup folder.</summary>
    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>()
            .BindConfiguration(EmailOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddSingleton<IMailTransport>(sp =>
        {
            var email = sp.GetRequiredService<IOptions<EmailOptions>>().Value;
            if (email.UsesSmtp)
            {
                return ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp);
            }
            var data = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value;
            return new PickupFolderTransport(PickupDirectory(email, data, contentRoot));
        });
        return builder;
    }

    public static string PickupDirectory(EmailOptions email, DatabaseOptions data, string contentRoot) =>
        Path.GetFullPath(Path.Combine(contentRoot, data.DataDirectory, email.PickupDirectory));
}
