using System.CommandLine;
using Sts.Api.V1;
using Sts.Cli.Display;

namespace Sts.Cli.Commands;

/// <summary>sts audit list|verify.</summary>
public static class AuditCommands
{
    public static Command Create() => new("audit", "Read and verify the hash-chained audit log.") { List(), Verify() };

    private static Command List()
    {
        var room = new Option<string>("--room") { Description = "Only events about this room (required unless platform admin).", DefaultValueFactory = _ => "" };
        var command = new Command("list", "List audit events, newest first.") { room };
        var paging = new PagingOptions(command);
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var events = await paging.ReadAsync<AuditEvent>(parseResult, async pageToken =>
            {
                var request = new ListAuditEventsRequest
                {
                    RoomId = parseResult.GetValue(room) ?? "",
                    PageSize = paging.PageSize(parseResult),
                    PageToken = pageToken,
                };
                var page = await connection.Audit.ListAuditEventsAsync(request, connection.Unary(ct));
                return (page.Events, page.NextPageToken);
            });
            ListTable.Write(
                ["SEQ", "TIME", "ACTOR", "ACTION", "ROOM", "SNAPSHOT", "OUTCOME"],
                events.Select(e => new[]
                {
                    ValueText.Number(e.Sequence), ValueText.Time(e.Time), e.Actor, e.Action, e.RoomId, e.SnapshotId, Outcome(e),
                }));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Verify()
    {
        var command = new Command("verify", "Recompute the whole hash chain; exit 1 if it is broken (platform admins only).");
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var result = await connection.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest(), connection.Unary(ct));
            var checkedEvents = ValueText.Number(result.Checked);
            Console.WriteLine(result.Valid
                ? $"Audit chain valid: {checkedEvents} events checked."
                : $"Audit chain BROKEN at event {ValueText.Number(result.FirstBadSequence)}: {result.Reason} ({checkedEvents} events checked).");
            return result.Valid ? ExitCodes.Ok : ExitCodes.Failure;
        }));
        return command;
    }

    /// <summary>The outcome, with the reason for a denial when the event records one.</summary>
    private static string Outcome(AuditEvent auditEvent) =>
        auditEvent.Metadata.TryGetValue("reason", out var reason) ? $"{auditEvent.Outcome}: {reason}" : auditEvent.Outcome;
}
