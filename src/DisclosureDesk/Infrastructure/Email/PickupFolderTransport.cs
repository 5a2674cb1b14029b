namespace DisclosureDesk.Infrastructure.Email;

/// <summary>
/// The embedded default: each message becomes <c>&lt;message-id&gt;.eml</c> in a folder, so a fresh install works
/// end to end without a mail server. The file name comes from the Message-ID, so a retry finds the file of the
/// first attempt instead of writing a second copy.
/// </summary>
public sealed class PickupFolderTransport(string directory) : IMailTransport
{
    public string Directory { get; } = directory;

    public bool ResendIsHarmless => true;

    public async Task<DeliveryResult> SendAsync(ReadOnlyMemory<byte> message, string messageId, CancellationToken cancellationToken)
    {
        var path = PathFor(messageId);
        if (File.Exists(path))
        {
            return new DeliveryResult(DeliveryOutcome.Delivered, $"Already in the pickup folder as {Path.GetFileName(path)}.");
        }
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            // Written under a temporary name and moved into place, so a reader never sees half a message.
            var temporary = Path.Combine(Directory, $".{Guid.NewGuid():N}.tmp");
            try
            {
                await File.WriteAllBytesAsync(temporary, message, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                File.Delete(temporary);
                return new DeliveryResult(DeliveryOutcome.Abandoned, "Stopped before the message was written to the pickup folder (the app was shutting down).");
            }
            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
            return new DeliveryResult(DeliveryOutcome.Delivered, $"Written to the pickup folder as {Path.GetFileName(path)}.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DeliveryResult(DeliveryOutcome.Transient, $"Could not write to the pickup folder {Directory}: {e.Message}");
        }
    }

    public string PathFor(string messageId)
    {
        var name = string.Concat(messageId.Trim('<', '>').Select(c => Path.GetInvalidFileNameChars().Contains(c) || c is '<' or '>' ? '_' : c));
        return Path.Combine(Directory, name + ".eml");
    }
}
