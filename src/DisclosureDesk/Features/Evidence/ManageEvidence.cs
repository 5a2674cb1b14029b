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

    /// <summary>An upload that passed the checks: its safe name, the type found in its bytes, and their SHA-256.</summary>
    public sealed record CheckedFile(string Name, string ContentType, byte[] Bytes, string Sha256);

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

            var (file, refusal) = await CheckAsync(fileName, content, cancellationToken);
            if (file is null)
            {
                return CommandResult.Fail(refusal!, "File");
            }
            return await writer.ChangeAsync(reference, user, (db, @case, now) =>
            {
                Attach(db, @case, user.AsActor(), now, file, form.Kind, form.Description, form.Redacted);
                return Task.FromResult(CommandResult.Success);
            }, cancellationToken);
        }

        /// <summary>
        /// Reads at most the size limit from <paramref name="content"/> and checks what it is: the file ready to
        /// attach, or why it is refused. Nothing is stored.
        /// </summary>
        public async Task<(CheckedFile? File, string? Refusal)> CheckAsync(string fileName, Stream content, CancellationToken cancellationToken = default)
        {
            var name = EvidenceFileTypes.SafeDisplayName(fileName);
            var bytes = await ReadWithinLimitAsync(content, options.Value.MaxFileBytes, cancellationToken);
            if (bytes is null)
            {
                return (null, $"\"{name}\" is larger than the {FormatSize(options.Value.MaxFileBytes)} limit.");
            }
            if (bytes.Length == 0)
            {
                return (null, $"\"{name}\" is empty.");
            }
            var (contentType, refusal) = EvidenceFileTypes.Identify(name, bytes);
            return contentType is null
                ? (null, $"\"{name}\": {refusal}")
                : (new CheckedFile(name, contentType, bytes, Convert.ToHexStringLower(SHA256.HashData(bytes))), null);
        }

        /// <summary>
        /// Adds a checked file to <paramref name="case"/> inside the caller's change: the encrypted content, its
        /// metadata and the event that carries its SHA-256, all saved with the caller's transaction.
        /// </summary>
        public EvidenceFile Attach(AppDbContext db, Case @case, Actor actor, DateTime now, CheckedFile checkedFile, EvidenceKind kind, string? description, bool redacted)
        {
            ArgumentNullException.ThrowIfNull(db);
            ArgumentNullException.ThrowIfNull(@case);
            ArgumentNullException.ThrowIfNull(actor);
            ArgumentNullException.ThrowIfNull(checkedFile);
            var text = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
            var recorded = CaseTimeline.Append(db, @case, actor, now, TimelineEventType.EvidenceAdded,
                $"Evidence added: {kind.DisplayName().ToLowerInvariant()} \"{checkedFile.Name}\" ({checkedFile.ContentType}, {checkedFile.Bytes.Length:N0} bytes{(redacted ? ", marked redacted" : "")}), SHA-256 {checkedFile.Sha256}." +
                (text is null ? "" : $" {text}"));
            var file = new EvidenceFile
            {
                CaseId = @case.Id,
                Kind = kind,
                FileName = checkedFile.Name,
                ContentType = checkedFile.ContentType,
                Length = checkedFile.Bytes.Length,
                Sha256 = checkedFile.Sha256,
                Description = text,
                Redacted = redacted,
                UploadedById = actor.Id ?? "",
                UploadedByName = actor.Name,
                UploadedAt = now,
                EventSequence = recorded.Sequence,
                Content = new EvidenceContent { Ciphertext = protector.Protect(@case.Id, checkedFile.Bytes) },
            };
            db.EvidenceFiles.Add(file);
            return file;
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
