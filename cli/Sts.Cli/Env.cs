namespace Sts.Cli;

/// <summary>Reads environment variables, treating an empty one as unset.</summary>
public static class Env
{
    public static string? Get(string name) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}
