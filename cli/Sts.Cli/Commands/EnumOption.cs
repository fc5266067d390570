using System.CommandLine;

namespace Sts.Cli.Commands;

/// <summary>An option taking one value of an API enum as a lower-case word ("pdf"); the UNSPECIFIED zero is never offered.</summary>
public static class EnumOption
{
    public static Option<T> Create<T>(string name, string description) where T : struct, Enum
    {
        var words = Enum.GetValues<T>().Where(v => Convert.ToInt64(v, null) != 0).Select(v => v.ToString().ToLowerInvariant()).ToArray();
        var option = new Option<T>(name) { Description = description, HelpName = string.Join('|', words) };
        option.AcceptOnlyFromAmong(words);
        return option;
    }
}
