using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using DisclosureDesk.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace DisclosureDesk.Features.Evidence;

/// <summary>
/// Adding evidence to a case and reading it back. Every upload and every download is an event in the case's
/// audit chain; the upload's event carries the SHA-256 of the exact bytes.
/// </summary>
public static class ManageEvidence
{
    public sealed class Form
    {
        public EvidenceKind Kind { get; set; } = EvidenceKind.Screenshot;

        [StringLength(CaseLimits.LongTextLength, ErrorMessage = "The description can be at most {1} characters.")]
        public string? Description { get; set; }

        public bool Redacted { get; set; }
    }

    public sealed record Entry(
        long Id, EvidenceKind Kind, string FileName, string ContentType, long Length, string Sha256, string? Description,
        bool Redacted, string UploadedByName, DateTime UploadedAt, DateTime? PurgedAt, int EventSequence);

    public sealed record Download(string FileName, string ContentType, byte[] Content);

    public sealed class Handler(
        IDbContextFactory<AppDbContext> dbFactory,
        CaseWriter writer,
        EvidenceProtector protector,
        IOptions<EvidenceOptions> options)
    {
        /// <summary>Reads at most the size limit from <paramref name="content"/>, checks it, and stores it encrypted.</summary>
        public async Task<CommandResult> AddAsync(string reference, Form form, string fileName, Stream content, CurrentUser user, CancellationToken cancellationToken = default)
        {
            var errors = ModelValidation.Validate(form);
            if (!Enum.IsDefined(form.Kind))
            {
                errors.Add(new ValidationResult("Choose what kind of evidence this is.", [nameof(Form.Kind)]));
            }
            if (form.Kind == EvidenceKind.RedactedSample && !form.Redacted)
            {
                errors.Add(new ValidationResult(
                    "A sample must be redacted: remove names, contact details and identifiers, keep field names and counts, then confirm.",
                    [nameof(Form.Redacted)]));
            }
            if (errors.Count > 0)
            {
                return CommandResult.Fail(errors);
            }

            var bytes = await ReadWithinLimitAsync(content, options.Value.MaxFileBytes, cancellationToken);
            if (bytes is null)
            {
                return CommandResult.Fail($"The file is larger than the {FormatSize(options.Value.MaxFileBytes)} limit.", "File");
            }
            if (bytes.Length == 0)
            {
                return CommandResult.Fail("The file is empty.", "File");
            }
            var name = EvidenceFileTypes.SafeDisplayName(fileName);
            var (contentType, refusal) = EvidenceFileTypes.Identify(name, bytes);
            if (contentType is null)
            {
                return CommandResult.Fail(refusal!, "File");
            }
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));

            return await writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                var recorded = CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.EvidenceAdded,
                    $"Evidence added: {form.Kind.DisplayName().ToLowerInvariant()} \"{name}\" ({contentType}, {bytes.Length:N0} bytes{(form.Redacted ? ", marked redacted" : "")}), SHA-256 {sha256}." +
                    (string.IsNullOrWhiteSpace(form.Description) ? "" : $" {form.Description.Trim()}"));
                var file = new EvidenceFile
                {
                    CaseId = @case.Id,
                    Kind = form.Kind,
                    FileName = name,
                    ContentType = contentType,
                    Length = bytes.Length,
                    Sha256 = sha256,
                    Description = string.IsNullOrWhiteSpace(form.Description) ? null : form.Description.Trim(),
                    Redacted = form.Redacted,
                    UploadedById = user.Id,
                    UploadedByName = user.Name,
                    UploadedAt = now,
                    EventSequence = recorded.Sequence,
                    Content = new EvidenceContent { Ciphertext = protector.Protect(@case.Id, bytes) },
                };
                db.EvidenceFiles.Add(file);
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);
        }

        /// <summary>The case's evidence, newest first, or null when the user may not see the case.</summary>
        public async Task<IReadOnlyList<Entry>?> ListAsync(string reference, CurrentUser user, CancellationToken cancellationToken = default)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var caseId = await db.CasesVisibleTo(user).Where(c => c.Reference == reference).Select(c => (int?)c.Id).SingleOrDefaultAsync(cancellationToken);
            if (caseId is null)
            {
                return null;
            }
            return await db.EvidenceFiles.AsNoTracking()
                .Where(e => e.CaseId == caseId)
                .OrderByDescending(e => e.UploadedAt).ThenByDescending(e => e.Id)
                .Select(e => new Entry(e.Id, e.Kind, e.FileName, e.ContentType, e.Length, e.Sha256, e.Description, e.Redacted,
                    e.UploadedByName, e.UploadedAt, e.PurgedAt, e.EventSequence))
                .ToListAsync(cancellationToken);
        }

        /// <summary>
        /// The decrypted file, after recording on the case who took it; null when the user may not see the case, the
        /// file is not on it, or its content was purged.
        /// </summary>
        public async Task<Download?> DownloadAsync(string reference, long id, CurrentUser user, CancellationToken cancellationToken = default)
        {
            Download? download = null;
            var result = await writer.ChangeAsync(reference, user, async (db, @case, now) =>
            {
                var file = await db.EvidenceFiles.AsNoTracking().Include(e => e.Content)
                    .SingleOrDefaultAsync(e => e.Id == id && e.CaseId == @case.Id, cancellationToken);
                if (file?.Content is not { } content)
                {
                    return CommandResult.NotFound;
                }
                var plaintext = protector.Unprotect(@case.Id, content.Ciphertext);
                if (Convert.ToHexStringLower(SHA256.HashData(plaintext)) != file.Sha256)
                {
                    throw new InvalidDataException($"Evidence {file.Id} of case {@case.Reference} does not match the SHA-256 recorded when it was added.");
                }
                CaseTimeline.Append(db, @case, user.AsActor(), now, TimelineEventType.EvidenceAccessed,
                    $"Evidence downloaded: \"{file.FileName}\" (SHA-256 {file.Sha256}).");
                download = new Download(file.FileName, file.ContentType, plaintext);
                return CommandResult.Success;
            }, cancellationToken);
            return result.Succeeded ? download : null;
        }

        private static async Task<byte[]?> ReadWithinLimitAsync(Stream content, long limit, CancellationToken cancellationToken)
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81_920];
            int read;
            while ((read = await content.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return null;
                }
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }
    }

    public static string FormatSize(long bytes) => bytes switch
    {
        >= 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.#} MB",
        >= 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes} bytes",
    };
}
