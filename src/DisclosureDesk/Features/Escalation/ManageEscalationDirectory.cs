using System.ComponentModel.DataAnnotations;
using System.Globalization;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace DisclosureDesk.Features.Escalation;

/// <summary>The directory of national CERTs and data-protection authorities: administrators keep it, everyone reads it.</summary>
public static class ManageEscalationDirectory
{
    public sealed class Form
    {
        public AuthorityKind Kind { get; set; }

        [Required(ErrorMessage = "Give the country as its two-letter ISO 3166 code, e.g. NL.")]
        [RegularExpression("^ *[A-Za-z]{2} *$", ErrorMessage = "Use the two-letter ISO 3166 country code, e.g. NL.")]
        public string CountryCode { get; set; } = "";

        [Required(ErrorMessage = "Give the authority's name, e.g. NCSC-NL.")]
        [StringLength(CaseLimits.NameLength, ErrorMessage = "The name can be at most {1} characters.")]
        public string Name { get; set; } = "";

        [Required(ErrorMessage = "Give the address escalations go to.")]
        [DeliverableEmail]
        [StringLength(CaseLimits.EmailLength, ErrorMessage = "The email address can be at most {1} characters.")]
        public string Email { get; set; } = "";

        [Url(ErrorMessage = "Enter the website as a full URL, e.g. https://www.ncsc.nl.")]
        [StringLength(CaseLimits.UrlLength, ErrorMessage = "The website can be at most {1} characters.")]
        public string? Website { get; set; }

        [StringLength(CaseLimits.LongTextLength, ErrorMessage = "The notes can be at most {1} characters.")]
        public string? Notes { get; set; }

        public static Form From(EscalationAuthority authority) => new()
        {
            Kind = authority.Kind,
            CountryCode = authority.CountryCode,
            Name = authority.Name,
            Email = authority.Email,
            Website = authority.Website,
            Notes = authority.Notes,
        };
    }

    public sealed class Handler(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
    {
        public const string AdministratorsOnly = "Only administrators maintain the escalation directory.";

        /// <summary>Every entry, by country then kind; retired ones last in their country.</summary>
        public async Task<IReadOnlyList<EscalationAuthority>> ListAsync(CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return (await db.EscalationAuthorities.AsNoTracking().ToListAsync(cancellationToken))
                .OrderBy(a => a.CountryCode, StringComparer.Ordinal)
                .ThenBy(a => a.RetiredAt is not null)
                .ThenBy(a => a.Kind)
                .ThenBy(a => a.Name, StringComparer.OrdinalIgnoreCase)
                .ToList();
        }

        /// <summary>The authorities in use for a country, the ones an escalation to it may go to.</summary>
        public async Task<IReadOnlyList<EscalationAuthority>> ForCountryAsync(string countryCode, AuthorityKind kind, CancellationToken cancellationToken = default)
        {
            var code = countryCode.Trim().ToUpperInvariant();
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            return await db.EscalationAuthorities.AsNoTracking()
                .Where(a => a.CountryCode == code && a.Kind == kind && a.RetiredAt == null)
                .OrderBy(a => a.Id)
                .ToListAsync(cancellationToken);
        }

        /// <summary>Adds an entry (<paramref name="id"/> null) or replaces one's details.</summary>
        public async Task<CommandResult<int>> SaveAsync(int? id, Form form, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (!user.IsAdministrator)
            {
                return CommandResult.Fail(AdministratorsOnly);
            }
            var errors = ModelValidation.Validate(form);
            if (!Enum.IsDefined(form.Kind))
            {
                errors.Add(new ValidationResult("Choose whether this is a national CERT or a data-protection authority.", [nameof(Form.Kind)]));
            }
            var countryCode = form.CountryCode.Trim().ToUpperInvariant();
            if (errors.Count == 0 && !IsCountry(countryCode))
            {
                errors.Add(new ValidationResult($"'{countryCode}' is not an ISO 3166 country code.", [nameof(Form.CountryCode)]));
            }
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }

            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var email = form.Email.Trim();
            var duplicate = await db.EscalationAuthorities.AnyAsync(a =>
                a.Id != id && a.RetiredAt == null && a.CountryCode == countryCode && a.Kind == form.Kind && a.Email.ToLower() == email.ToLower(), cancellationToken);
            if (duplicate)
            {
                return CommandResult.Fail($"{countryCode} already has a {form.Kind.DisplayName()} at {email}.", nameof(Form.Email));
            }

            var now = time.GetUtcNow().UtcDateTime;
            EscalationAuthority? authority;
            if (id is { } existingId)
            {
                authority = await db.EscalationAuthorities.SingleOrDefaultAsync(a => a.Id == existingId, cancellationToken);
                if (authority is null)
                {
                    return CommandResult.Fail("That entry no longer exists.");
                }
            }
            else
            {
                authority = new EscalationAuthority { CreatedAt = now };
                db.EscalationAuthorities.Add(authority);
            }
            authority.Kind = form.Kind;
            authority.CountryCode = countryCode;
            authority.Name = form.Name.Trim();
            authority.Email = email;
            authority.Website = string.IsNullOrWhiteSpace(form.Website) ? null : form.Website.Trim();
            authority.Notes = string.IsNullOrWhiteSpace(form.Notes) ? null : form.Notes.Trim();
            authority.UpdatedAt = now;
            authority.UpdatedByName = user.Name;
            await db.SaveChangesAsync(cancellationToken);
            return CommandResult<int>.Ok(authority.Id);
        }

        /// <summary>Takes an entry out of use (or back into it); it stays in the directory either way.</summary>
        public async Task<CommandResult> SetRetiredAsync(int id, bool retired, CurrentUser user, CancellationToken cancellationToken = default)
        {
            if (!user.IsAdministrator)
            {
                return CommandResult.Fail(AdministratorsOnly);
            }
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var authority = await db.EscalationAuthorities.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
            if (authority is null)
            {
                return CommandResult.Fail("That entry no longer exists.");
            }
            if (!retired && await db.EscalationAuthorities.AnyAsync(a =>
                    a.Id != id && a.RetiredAt == null && a.CountryCode == authority.CountryCode && a.Kind == authority.Kind && a.Email.ToLower() == authority.Email.ToLower(), cancellationToken))
            {
                return CommandResult.Fail($"{authority.CountryCode} already has a {authority.Kind.DisplayName()} in use at {authority.Email}.");
            }
            var now = time.GetUtcNow().UtcDateTime;
            authority.RetiredAt = retired ? authority.RetiredAt ?? now : null;
            authority.UpdatedAt = now;
            authority.UpdatedByName = user.Name;
            await db.SaveChangesAsync(cancellationToken);
            return CommandResult.Success;
        }

        private static bool IsCountry(string code)
        {
            try
            {
                return new RegionInfo(code).TwoLetterISORegionName == code;
            }
            catch (ArgumentException)
            {
                return false;
            }
        }
    }
}
