using Spectre.Console;

namespace Sts.Cli.Display;

/// <summary>Console settings that depend on where stdout goes.</summary>
public static class Terminal
{
    // Piped or logged output has no width; Spectre assumes 80 columns and would wrap ids and hashes mid-way.
    private const int RedirectedWidth = 250;

    public static void Configure()
    {
        if (Console.IsOutputRedirected) AnsiConsole.Profile.Width = RedirectedWidth;
    }
}
