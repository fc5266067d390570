using System.CommandLine;
using Sts.Api.V1;
using Wkt = Google.Protobuf.WellKnownTypes;
using Sts.Cli.Display;

namespace Sts.Cli.Commands;

/// <summary>sts schedules create|get|list|update|pause|resume|delete|room-retention.</summary>
public static class ScheduleCommands
{
    public static Command Create() => new("schedules", "Take snapshots of a room at fixed times, and prune old ones by policy.")
    {
        CreateSchedule(), Get(), List(), Update(), SetPaused(paused: true), SetPaused(paused: false), Delete(), RoomRetention(),
    };

    private static Command CreateSchedule()
    {
        var room = new Option<string>("--room") { Description = "The room to snapshot.", Required = true };
        var type = EnumOption.Create<SnapshotType>("--type", "File format.");
        type.Required = true;
        var command = new Command("create", "Create a schedule; its first run is the first due time from now.") { room, type };
        var settings = new ScheduleFlags(command);
        var options = new SnapshotOptionFlags(command);
        var paused = new Option<bool>("--paused") { Description = "Create it paused (resume starts it)." };
        command.Options.Add(paused);
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var schedule = new Schedule
            {
                RoomId = parseResult.GetRequiredValue(room),
                Type = parseResult.GetRequiredValue(type),
                Options = options.Read(parseResult),
                Paused = parseResult.GetValue(paused),
            };
            settings.Apply(parseResult, schedule);
            var created = (await connection.Schedules.CreateScheduleAsync(new CreateScheduleRequest { Schedule = schedule }, connection.Unary(ct))).Schedule;
            ScheduleView.WriteDetails(created);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Get()
    {
        var id = ScheduleId();
        var command = new Command("get", "Show one schedule.") { id };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var request = new GetScheduleRequest { ScheduleId = parseResult.GetRequiredValue(id) };
            ScheduleView.WriteDetails((await connection.Schedules.GetScheduleAsync(request, connection.Unary(ct))).Schedule);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List()
    {
        var room = new Option<string>("--room") { Description = "The room whose schedules to list.", Required = true };
        var command = new Command("list", "List a room's schedules, oldest first.") { room };
        var paging = new PagingOptions(command);
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var schedules = await paging.ReadAsync<Schedule>(parseResult, async pageToken =>
            {
                var request = new ListSchedulesRequest { RoomId = parseResult.GetRequiredValue(room), PageSize = paging.PageSize(parseResult), PageToken = pageToken };
                var page = await connection.Schedules.ListSchedulesAsync(request, connection.Unary(ct));
                return (page.Schedules, page.NextPageToken);
            });
            ScheduleView.WriteTable(schedules);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Update()
    {
        var id = ScheduleId();
        var type = EnumOption.Create<SnapshotType>("--type", "File format.");
        var command = new Command("update", "Change the given settings of a schedule; a new timing starts from the next due time.") { id, type };
        var settings = new ScheduleFlags(command);
        var options = new SnapshotOptionFlags(command);
        var noRetention = new Option<bool>("--keep-all") { Description = "Drop the retention policy: keep every snapshot." };
        var etag = Etag(command);
        command.Options.Add(noRetention);
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var schedule = new Schedule { Id = parseResult.GetRequiredValue(id), Etag = parseResult.GetValue(etag) ?? "" };
            var mask = new Wkt.FieldMask();
            mask.Paths.Add(settings.Apply(parseResult, schedule));
            if (parseResult.GetResult(type) is { Implicit: false })
            {
                schedule.Type = parseResult.GetValue(type);
                mask.Paths.Add("type");
            }
            if (options.Given(parseResult))
            {
                schedule.Options = options.Read(parseResult);
                mask.Paths.Add("options");
            }
            if (parseResult.GetValue(noRetention)) mask.Paths.Add("retention");
            if (mask.Paths.Count == 0) throw new CliException("Nothing to change: give at least one setting.", ExitCodes.InvalidArguments);
            var request = new UpdateScheduleRequest { Schedule = schedule, UpdateMask = mask };
            ScheduleView.WriteDetails((await connection.Schedules.UpdateScheduleAsync(request, connection.Unary(ct))).Schedule);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command SetPaused(bool paused)
    {
        var id = ScheduleId();
        var command = paused
            ? new Command("pause", "Pause a schedule: it makes no snapshots until resumed.") { id }
            : new Command("resume", "Resume a schedule from its next due time (slots that passed while paused are not run).") { id };
        var etag = Etag(command);
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var request = new UpdateScheduleRequest
            {
                Schedule = new Schedule { Id = parseResult.GetRequiredValue(id), Paused = paused, Etag = parseResult.GetValue(etag) ?? "" },
                UpdateMask = new Wkt.FieldMask { Paths = { "paused" } },
            };
            ScheduleView.WriteDetails((await connection.Schedules.UpdateScheduleAsync(request, connection.Unary(ct))).Schedule);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete()
    {
        var id = ScheduleId();
        var command = new Command("delete", "Delete a schedule; the snapshots it made stay.") { id };
        var etag = Etag(command);
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var request = new DeleteScheduleRequest { ScheduleId = parseResult.GetRequiredValue(id), Etag = parseResult.GetValue(etag) ?? "" };
            await connection.Schedules.DeleteScheduleAsync(request, connection.Unary(ct));
            Console.WriteLine($"Deleted schedule {request.ScheduleId}.");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command RoomRetention()
    {
        var room = new Option<string>("--room") { Description = "The room.", Required = true };
        var maxAge = Duration.OptionalOption("--manual-max-age", "Delete snapshots made by people once this old (newest and held ones are kept).");
        var clear = new Option<bool>("--clear") { Description = "Remove the policy: keep every manual snapshot." };
        var command = new Command("room-retention", "Show, set or clear the room's policy for manual snapshots (setting needs the delete right).") { room, maxAge, clear };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var roomId = parseResult.GetRequiredValue(room);
            var age = parseResult.GetValue(maxAge);
            if (age is not null && parseResult.GetValue(clear)) throw new CliException("Give --manual-max-age or --clear, not both.", ExitCodes.InvalidArguments);
            var retention = age is null && !parseResult.GetValue(clear)
                ? (await connection.Schedules.GetRoomRetentionAsync(new GetRoomRetentionRequest { RoomId = roomId }, connection.Unary(ct))).Retention
                : (await connection.Schedules.SetRoomRetentionAsync(new SetRoomRetentionRequest
                {
                    Retention = new RoomRetention { RoomId = roomId, ManualMaxAge = age is { } a ? Wkt.Duration.FromTimeSpan(a) : null },
                }, connection.Unary(ct))).Retention;
            ScheduleView.WriteRetention(retention);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Argument<string> ScheduleId() => new("schedule-id") { Description = "Schedule UUID." };

    private static Option<string?> Etag(Command command)
    {
        var etag = new Option<string?>("--etag") { Description = "Act only if the schedule still has this etag (from get); else the call is ABORTED." };
        command.Options.Add(etag);
        return etag;
    }

    /// <summary>Timing, zone, start, title and retention flags, shared by create and update.</summary>
    private sealed class ScheduleFlags
    {
        private readonly Option<TimeSpan?> _every = Duration.OptionalOption("--every", "Run every this long (at least the service's minimum, 5m by default).");
        private readonly Option<string?> _cron = new("--cron") { Description = "Run when this five-field cron expression matches, such as \"30 2 * * *\" (with --zone).", HelpName = "expression" };
        private readonly Option<string?> _zone = new("--zone") { Description = "IANA time zone of --cron and of the title's times, such as Europe/Oslo.", HelpName = "zone" };
        private readonly Option<DateTimeOffset?> _start = new("--start") { Description = "With --every: the first run, as an ISO 8601 time such as 2027-03-28T00:00:00+01:00.", HelpName = "time" };
        private readonly Option<string?> _title = new("--title") { Description = "Title template: {room}, {date}, {time}, {slot}. Default \"Scheduled snapshot {slot}\".", HelpName = "template" };
        private readonly Option<int?> _keepLast = new("--keep-last") { Description = "Keep the newest N completed snapshots (1-1000).", HelpName = "n" };
        private readonly Option<TimeSpan?> _maxAge = Duration.OptionalOption("--max-age", "Keep snapshots younger than this (with --keep-last: either keeps one).");

        public ScheduleFlags(Command command)
        {
            foreach (var option in new Option[] { _every, _cron, _zone, _start, _title, _keepLast, _maxAge }) command.Options.Add(option);
            command.Validators.Add(result =>
            {
                if (result.GetValue(_every) is not null && result.GetValue(_cron) is not null) result.AddError("Give --every or --cron, not both.");
            });
        }

        /// <summary>Copies the given flags into <paramref name="schedule"/>; returns the update-mask paths they set.</summary>
        public List<string> Apply(ParseResult parseResult, Schedule schedule)
        {
            if (parseResult.GetValue(_every) is { } every) schedule.Interval = Wkt.Duration.FromTimeSpan(every);
            if (parseResult.GetValue(_cron) is { } cron) schedule.Cron = cron;
            if (parseResult.GetValue(_zone) is { } zone) schedule.TimeZone = zone;
            if (parseResult.GetValue(_start) is { } start) schedule.StartTime = Wkt.Timestamp.FromDateTimeOffset(start);
            if (parseResult.GetValue(_title) is { } title) schedule.TitleTemplate = title;
            var keepLast = parseResult.GetValue(_keepLast);
            var maxAge = parseResult.GetValue(_maxAge);
            if (keepLast is not null || maxAge is not null)
            {
                schedule.Retention = new RetentionPolicy { MaxAge = maxAge is { } age ? Wkt.Duration.FromTimeSpan(age) : null };
                if (keepLast is { } n) schedule.Retention.KeepLast = n;
            }
            (Option Option, string Path)[] paths =
            [
                (_every, "interval"), (_cron, "cron"), (_zone, "time_zone"), (_start, "start_time"), (_title, "title_template"),
                (_keepLast, "retention"), (_maxAge, "retention"),
            ];
            return paths.Where(p => parseResult.GetResult(p.Option) is { Implicit: false }).Select(p => p.Path).Distinct().ToList();
        }
    }
}
