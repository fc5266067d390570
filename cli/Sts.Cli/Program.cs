using System.CommandLine;
using System.CommandLine.Invocation;
using Sts.Cli;
using Sts.Cli.Commands;
using Sts.Cli.Display;

var root = new RootCommand("Command-line client of the STS Snapshot Service.")
{
    TokenCommand.Create(),
    HealthCommand.Create(),
    RoomCommands.Create(),
    SnapshotCommands.Create(),
    ScheduleCommands.Create(),
    TaskCommands.Create(),
    AuditCommands.Create(),
    VerifyCommand.Create(),
    AdminCommands.Create(),
};

Terminal.Configure();
var parseResult = root.Parse(args);
if (parseResult.Action is ParseErrorAction parseError)
{
    // The errors alone, not the whole help text; exit 2 so that scripts can tell bad usage from a failed call.
    parseError.ShowHelp = false;
    parseError.Invoke(parseResult);
    return ExitCodes.InvalidArguments;
}
return await parseResult.InvokeAsync();
