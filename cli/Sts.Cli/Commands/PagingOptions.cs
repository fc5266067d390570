using System.CommandLine;
using Sts.Cli.Display;

namespace Sts.Cli.Commands;

/// <summary>AIP-158 paging for list commands: one page by default, every page with --all.</summary>
public sealed class PagingOptions
{
    private readonly Option<int> _pageSize = new("--page-size") { Description = "Results per page, 1-1000 (0: the server's default of 50).", HelpName = "n" };
    private readonly Option<string> _pageToken = new("--page-token") { Description = "Continue from a previous listing.", DefaultValueFactory = _ => "" };
    private readonly Option<bool> _all = new("--all") { Description = "Follow next_page_token to the end." };

    public PagingOptions(Command command)
    {
        command.Options.Add(_pageSize);
        command.Options.Add(_pageToken);
        command.Options.Add(_all);
    }

    public int PageSize(ParseResult parseResult) => parseResult.GetValue(_pageSize);

    /// <summary>Reads one page, or all of them (with --all, or when <paramref name="all"/>); tells on stderr how to continue when more remain.</summary>
    public async Task<List<T>> ReadAsync<T>(ParseResult parseResult, Func<string, Task<(IEnumerable<T> Items, string NextPageToken)>> readPage, bool all = false)
    {
        all |= parseResult.GetValue(_all);
        var token = parseResult.GetValue(_pageToken) ?? "";
        var items = new List<T>();
        do
        {
            var (page, next) = await readPage(token);
            items.AddRange(page);
            token = next;
        }
        while (all && token.Length > 0);
        if (token.Length > 0) ErrorReport.Write($"more results: add --page-token {token} (or --all)");
        return items;
    }
}
