using Sts.Shared.Auth;

namespace Sts.Cli;

/// <summary>
/// Where the key and claims for minted dev tokens come from: an explicit key file, else $Auth__SigningKey,
/// else the checkout's .local/dev-signing-key (written by scripts/infra.sh). Issuer and audience: option, env, default.
/// </summary>
public static class SigningSettings
{
    private const string DevKeyFile = ".local/dev-signing-key";
    private const string SolutionFile = "Sts.sln";

    /// <summary>The settings, and a description of where the key came from, for messages.</summary>
    public static (TokenSettings Settings, string KeySource) Resolve(string? keyFile, string? issuer = null, string? audience = null)
    {
        var defaults = new TokenSettings();
        var (key, source) = ReadKey(keyFile);
        var settings = new TokenSettings
        {
            Issuer = issuer ?? Env.Get("Auth__Issuer") ?? defaults.Issuer,
            Audience = audience ?? Env.Get("Auth__Audience") ?? defaults.Audience,
            SigningKey = key,
        };
        try
        {
            settings.CreateKey();
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException($"Signing key from {source}: {ex.Message}", ExitCodes.InvalidArguments);
        }
        return (settings, source);
    }

    private static (string Key, string Source) ReadKey(string? keyFile)
    {
        if (keyFile is not null) return (ReadFile(keyFile), keyFile);
        if (Env.Get("Auth__SigningKey") is { } fromEnv) return (fromEnv, "$Auth__SigningKey");
        var devKey = FindDevKey()
            ?? throw new CliException(
                $"No signing key: pass --key-file, set Auth__SigningKey, or run scripts/infra.sh up in the checkout (it writes {DevKeyFile}).",
                ExitCodes.InvalidArguments);
        return (ReadFile(devKey), devKey);
    }

    private static string ReadFile(string path)
    {
        if (!File.Exists(path)) throw new CliException($"Signing key file '{path}' not found.", ExitCodes.InvalidArguments);
        return File.ReadAllText(path).Trim();
    }

    /// <summary>The dev key of the checkout we are in, or else of the checkout this binary was built in.</summary>
    private static string? FindDevKey() =>
        new[] { Environment.CurrentDirectory, AppContext.BaseDirectory }
            .Select(FindRepoRoot)
            .Select(root => root is null ? null : Path.Combine(root, DevKeyFile))
            .FirstOrDefault(File.Exists);

    private static string? FindRepoRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile))) return dir.FullName;
        }
        return null;
    }
}
