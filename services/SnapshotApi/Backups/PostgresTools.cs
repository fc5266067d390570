using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Sts.SnapshotApi.Backups;

/// <summary>
/// Runs pg_dump and pg_restore against the service's database, with the connection passed in libpq's environment
/// variables (never on a command line, where ps would show the password). The dump is streamed, never held in memory.
/// </summary>
public sealed class PostgresTools(IConfiguration configuration, IOptions<BackupOptions> options)
{
    private const int MaxErrorChars = 4000;

    /// <summary>Streams a custom-format dump of the database, as of <paramref name="exportedSnapshot"/> when given, into <paramref name="target"/>.</summary>
    public Task DumpAsync(Stream target, string? exportedSnapshot, CancellationToken ct)
    {
        List<string> arguments = ["--format=custom", "--no-password"];
        if (exportedSnapshot is not null) arguments.Add($"--snapshot={exportedSnapshot}");
        return RunAsync(options.Value.PgDumpPath, arguments, target, ct);
    }

    /// <summary>
    /// Restores a custom-format dump over the database in one transaction: objects in the dump are dropped and
    /// recreated (--clean --if-exists), and any error rolls the whole restore back.
    /// </summary>
    public Task RestoreAsync(string dumpPath, CancellationToken ct) => RunAsync(options.Value.PgRestorePath,
        ["--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--no-password",
         $"--dbname={Connection().Database}", dumpPath], stdout: null, ct);

    /// <summary>"pg_dump (PostgreSQL) 15.18 (...)", or why there is none.</summary>
    public async Task<string> ClientVersionAsync(CancellationToken ct)
    {
        using var output = new MemoryStream();
        try
        {
            await RunAsync(options.Value.PgDumpPath, ["--version"], output, ct);
        }
        catch (BackupFailedException ex)
        {
            return ex.Message;
        }
        return Encoding.UTF8.GetString(output.ToArray()).Trim();
    }

    /// <summary>The major version in "pg_dump (PostgreSQL) 15.18" or "15.4 (Debian ...)"; 0 when there is none.</summary>
    public static int MajorVersion(string version)
    {
        foreach (var word in version.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var digits = new string(word.TakeWhile(char.IsAsciiDigit).ToArray());
            if (digits.Length > 0 && word.Length > digits.Length && word[digits.Length] == '.') return int.Parse(digits, System.Globalization.CultureInfo.InvariantCulture);
        }
        return 0;
    }

    private NpgsqlConnectionStringBuilder Connection() =>
        new(configuration.GetConnectionString("Postgres") ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set."));

    private async Task RunAsync(string tool, IReadOnlyList<string> arguments, Stream? stdout, CancellationToken ct)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var connection = Connection();
        start.Environment["PGHOST"] = connection.Host;
        start.Environment["PGPORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = connection.Database;
        start.Environment["PGUSER"] = connection.Username;
        if (connection.Password is { Length: > 0 } password) start.Environment["PGPASSWORD"] = password;
        if (connection.SslMode != SslMode.Disable && connection.SslMode != SslMode.Prefer)
            start.Environment["PGSSLMODE"] = connection.SslMode.ToString().ToLowerInvariant().Replace("verifyca", "verify-ca").Replace("verifyfull", "verify-full");
        start.Environment["PGAPPNAME"] = "sts-backup " + Path.GetFileName(tool);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new BackupFailedException($"{tool} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new BackupFailedException(
                $"{tool} cannot be run ({ex.Message}). Install the PostgreSQL client of the server's major version, or set Backup:PgDumpPath and Backup:PgRestorePath.", null, ex);
        }
        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.ToolTimeout);
            var errors = ReadBoundedAsync(process.StandardError, timeout.Token);
            try
            {
                var output = stdout is null
                    ? process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, timeout.Token)
                    : process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
                await output;
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                if (ct.IsCancellationRequested) throw;
                throw new BackupFailedException($"{Path.GetFileName(tool)} did not finish within Backup:ToolTimeout ({options.Value.ToolTimeout}).");
            }
            var message = await errors;
            if (process.ExitCode != 0)
                throw new BackupFailedException($"{Path.GetFileName(tool)} exited with code {process.ExitCode}: {message.Trim()}");
        }
    }

    private static async Task<string> ReadBoundedAsync(StreamReader reader, CancellationToken ct)
    {
        var text = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer, ct)) > 0)
        {
            if (text.Length < MaxErrorChars) text.Append(buffer, 0, Math.Min(read, MaxErrorChars - text.Length));
        }
        return text.ToString();
    }
}
