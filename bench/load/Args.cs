using System.Globalization;

namespace Sts.Bench.Load;

/// <summary>"--name value" options, read once; unknown options are an error so that a typo never runs the wrong benchmark.</summary>
public sealed class Args(string[] args)
{
    private readonly HashSet<string> _read = [];

    public string? Text(string name)
    {
        _read.Add(name);
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public string Text(string name, string fallback) => Text(name) ?? fallback;

    public int Number(string name, int fallback) => Text(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Real(string name, double fallback) => Text(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public TimeSpan Seconds(string name, double fallback) => TimeSpan.FromSeconds(Real(name, fallback));

    /// <summary>Throws on options nobody asked for.</summary>
    public void CheckAllRead(int skip)
    {
        for (var i = skip; i < args.Length; i += 2)
        {
            if (!_read.Contains(args[i])) throw new ArgumentException($"Unknown option '{args[i]}'.");
        }
    }
}
