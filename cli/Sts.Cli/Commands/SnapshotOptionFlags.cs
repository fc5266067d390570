using System.CommandLine;
using Sts.Api.V1;

namespace Sts.Cli.Commands;

/// <summary>The flags that say what a snapshot includes, for snapshots create and schedules create/update.</summary>
public sealed class SnapshotOptionFlags
{
    private readonly Option<bool> _noDocuments = new("--no-documents") { Description = "Leave out the documents section (CSV needs it)." };
    private readonly Option<bool> _noActivity = new("--no-activity") { Description = "Leave out the activity log." };
    private readonly Option<bool> _noApprovals = new("--no-approvals") { Description = "Leave out the approvals section." };
    private readonly Option<int> _activityLimit = new("--activity-limit") { Description = "Keep only the newest N activity entries (0 keeps all).", HelpName = "n" };
    private readonly Option<string> _watermark = new("--watermark")
    {
        Description = "Text across every page of a PDF, such as DRAFT or CONFIDENTIAL (at most 40 characters), recorded in every type's metadata.",
        HelpName = "text",
        DefaultValueFactory = _ => "",
    };

    public SnapshotOptionFlags(Command command)
    {
        command.Options.Add(_noDocuments);
        command.Options.Add(_noActivity);
        command.Options.Add(_noApprovals);
        command.Options.Add(_activityLimit);
        command.Options.Add(_watermark);
    }

    /// <summary>Whether any of the flags was given (an update changes the options only then).</summary>
    public bool Given(ParseResult parseResult) =>
        new Option[] { _noDocuments, _noActivity, _noApprovals, _activityLimit, _watermark }.Any(o => parseResult.GetResult(o) is { Implicit: false });

    public SnapshotOptions Read(ParseResult parseResult) => new()
    {
        IncludeDocuments = !parseResult.GetValue(_noDocuments),
        IncludeActivity = !parseResult.GetValue(_noActivity),
        IncludeApprovals = !parseResult.GetValue(_noApprovals),
        ActivityLimit = parseResult.GetValue(_activityLimit),
        Watermark = parseResult.GetValue(_watermark) ?? "",
    };
}
