using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Security;
using MimeKit;

namespace DisclosureDesk.IntegrationTests.Features.Responses;

/// <summary>
/// A private Dovecot (Debian's <c>dovecot-imapd</c>) on a loopback port, with its configuration, maildir and sockets in a
/// temporary folder, so the inbound-mail tests speak real IMAP. Dovecot refuses to run its login processes as root, so
/// under root it uses the package's unprivileged <c>dovecot</c>/<c>dovenull</c> users; otherwise the current user.
/// </summary>
public sealed class TestImapServer : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/dovecot";
    public const string MissingServerMessage = "Inbound-mail tests need Dovecot (apt-get install dovecot-imapd); .ci/run installs it.";
    public const string UserName = "replies";
    public const string Password = "imap-test-password";

    private readonly Process _process;
    private readonly string _directory;

    private TestImapServer(Process process, string directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public static bool IsInstalled => File.Exists(Binary);

    /// <summary>Skips the calling test without Dovecot, except on CI, where a missing server is a broken pipeline.</summary>
    public static void Require()
    {
        if (IsInstalled)
        {
            return;
        }
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(MissingServerMessage);
        }
        Assert.Skip(MissingServerMessage);
    }

    public static async Task<TestImapServer> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("disclosuredesk-imap-").FullName;
        var port = FreePort();
        var root = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        var (uid, gid) = (await IdAsync("-u"), await IdAsync("-g"));
        var mail = Path.Combine(directory, "mail");
        Directory.CreateDirectory(mail);
        Directory.CreateDirectory(Path.Combine(directory, "run"));
        if (root && !OperatingSystem.IsWindows())
        {
            // The mail processes run as the unprivileged dovecot user and must reach the maildir.
            File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
            File.SetUnixFileMode(mail, (UnixFileMode)0b111_111_111);
        }
        var passwd = Path.Combine(directory, "passwd");
        await File.WriteAllTextAsync(passwd, $"{UserName}:{{PLAIN}}{Password}::::::\n");
        var internalUser = root ? "dovecot" : Environment.UserName;
        var loginUser = root ? "dovenull" : Environment.UserName;
        var mailUser = root ? "uid=dovecot gid=dovecot" : $"uid={uid} gid={gid}";
        var config = Path.Combine(directory, "dovecot.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $$"""
            protocols = imap
            listen = 127.0.0.1
            base_dir = {{directory}}/run
            state_dir = {{directory}}/state
            instance_name = disclosuredesk-test-{{port}}
            default_internal_user = {{internalUser}}
            default_login_user = {{loginUser}}
            first_valid_uid = 1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:{{mail}}/%u
            log_path = {{directory}}/dovecot.log
            passdb {
              driver = passwd-file
              args = scheme=PLAIN {{passwd}}
            }
            userdb {
              driver = static
              args = {{mailUser}} home={{mail}}/%u
            }
            service imap-login {
              chroot =
              inet_listener imap {
                address = 127.0.0.1
                port = {{port}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service anvil {
              chroot =
            }
            """));

        var start = new ProcessStartInfo(Binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-F", "-c", config })
        {
            start.ArgumentList.Add(arg);
        }
        var process = Process.Start(start)!;
        var server = new TestImapServer(process, directory, port);
        await server.WaitUntilListeningAsync();
        return server;
    }

    /// <summary>Appends messages to the inbox, as a mail server's delivery would; returns their UIDs.</summary>
    public async Task<IReadOnlyList<UniqueId>> AppendAsync(params MimeMessage[] messages)
    {
        using var client = await ConnectAsync();
        var uids = new List<UniqueId>();
        foreach (var message in messages)
        {
            uids.Add((await client.Inbox.AppendAsync(message, MessageFlags.None, TestContext.Current.CancellationToken))!.Value);
        }
        await client.DisconnectAsync(true, TestContext.Current.CancellationToken);
        return uids;
    }

    /// <summary>
    /// Delivers raw bytes into the maildir, as a local delivery agent would: IMAP APPEND through MailKit takes only
    /// messages MimeKit can build, and a poisoned message is exactly one it cannot.
    /// </summary>
    public async Task DeliverRawAsync(byte[] raw)
    {
        // Logging in once makes Dovecot create the maildir.
        using (var client = await ConnectAsync())
        {
            await client.DisconnectAsync(true, TestContext.Current.CancellationToken);
        }
        var maildir = Path.Combine(_directory, "mail", UserName);
        var name = $"{Guid.NewGuid():N}.disclosuredesk-test";
        var temporary = Path.Combine(maildir, "tmp", name);
        await File.WriteAllBytesAsync(temporary, raw, TestContext.Current.CancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, (UnixFileMode)0b110_110_110);
        }
        File.Move(temporary, Path.Combine(maildir, "new", name));
    }

    private async Task<ImapClient> ConnectAsync()
    {
        var client = new ImapClient();
        await client.ConnectAsync(IPAddress.Loopback.ToString(), Port, SecureSocketOptions.None, TestContext.Current.CancellationToken);
        await client.AuthenticateAsync(UserName, Password, TestContext.Current.CancellationToken);
        return client;
    }

    private async Task WaitUntilListeningAsync()
    {
        // Readiness, not a timed assertion: Dovecot forks its listeners after start-up.
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Dovecot exited: {await _process.StandardError.ReadToEndAsync()} {Log()}");
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new InvalidOperationException($"Dovecot did not listen on port {Port}. {Log()}");
    }

    private string Log()
    {
        var path = Path.Combine(_directory, "dovecot.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<string> IdAsync(string flag)
    {
        var start = new ProcessStartInfo("id", flag) { RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
