using System.Security.Cryptography;
using Sts.Shared.Storage;

namespace Sts.Chaos;

/// <summary>What became of one accepted create.</summary>
public enum Verdict
{
    /// <summary>COMPLETED, exactly one stored file, whose SHA-256 is the recorded one.</summary>
    Done,
    /// <summary>FAILED with a reason: allowed (not lost), but reported.</summary>
    Failed,
    /// <summary>No snapshot row at all, though the caller was told OK.</summary>
    Lost,
    /// <summary>Still QUEUED or RUNNING after the settle time.</summary>
    Stuck,
    /// <summary>More than one terminal transition, more than one stored object, or more than one row for its request_id.</summary>
    Duplicated,
    /// <summary>COMPLETED, but its file is missing or does not match the recorded SHA-256.</summary>
    Corrupt,
}

/// <summary>One snapshot row as the checker reads it.</summary>
public sealed record SnapshotFacts(Guid Id, string? RequestId, string Status, string? Sha256, string? FileKey, string? Error);

/// <summary>The checker's findings for one accepted create.</summary>
public sealed record Classified(CreateRecord Create, Verdict Verdict, string Detail);

/// <summary>
/// Classifies every accepted create as done, failed, lost, stuck, duplicated or corrupt, from the database
/// (snapshots, audit_log) and the stored files, read through the store the services used (a folder or a bucket): the
/// four-way check Jepsen uses for queues, plus file integrity. <paramref name="storageRoot"/> is the filesystem store's
/// folder, where interrupted writes leave temporary files; null for S3, where an interrupted upload leaves nothing visible.
/// </summary>
public sealed class Checker(RunDatabase db, ISnapshotStore store, string? storageRoot)
{
    public List<Classified> Results { get; } = [];
    /// <summary>Rows whose create the caller was told had failed (it committed anyway; a retry with its request_id would have found it).</summary>
    public List<SnapshotFacts> UnclaimedRows { get; } = [];
    public List<string> OrphanFiles { get; } = [];
    public List<string> TemporaryFiles { get; } = [];
    public long UnsentOutboxRows { get; private set; }
    public long OutboxRows { get; private set; }
    public long TasksRetried { get; private set; }
    /// <summary>Terminal snapshots with no SnapshotCompleted/SnapshotFailed audit record.</summary>
    public List<Guid> Unaudited { get; } = [];

    public async Task RunAsync(IReadOnlyCollection<CreateRecord> creates, CancellationToken ct)
    {
        var rows = (await db.QueryAsync(
                "SELECT id, request_id, status, sha256, file_key, error FROM snapshots",
                r => new SnapshotFacts(r.GetGuid(0), r.IsDBNull(1) ? null : r.GetString(1), r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)), ct))
            .ToDictionary(r => r.Id);
        var terminal = (await db.QueryAsync(
                "SELECT snapshot_id, count(*) FROM audit_log WHERE action IN ('SnapshotCompleted', 'SnapshotFailed') AND snapshot_id IS NOT NULL GROUP BY snapshot_id",
                r => (Id: r.GetGuid(0), Count: r.GetInt64(1)), ct))
            .ToDictionary(t => t.Id, t => t.Count);
        var rowsPerRequest = rows.Values.Where(r => r.RequestId is not null).GroupBy(r => r.RequestId!).ToDictionary(g => g.Key, g => g.Count());
        UnsentOutboxRows = await db.CountAsync("SELECT count(*) FROM outbox WHERE sent_at IS NULL", ct);
        OutboxRows = await db.CountAsync("SELECT count(*) FROM outbox", ct);
        TasksRetried = await db.CountAsync("SELECT count(*) FROM tasks WHERE attempts > 1", ct);

        var files = await StoredFilesAsync(ct);
        foreach (var create in creates.Where(c => c.Outcome == CreateOutcome.Accepted))
        {
            var id = create.SnapshotId!.Value;
            if (!rows.TryGetValue(id, out var row))
            {
                Results.Add(new(create, Verdict.Lost, "no snapshot row"));
                continue;
            }
            var transitions = terminal.GetValueOrDefault(id);
            var objects = files.GetValueOrDefault(id) ?? [];
            var sameRequest = rowsPerRequest.GetValueOrDefault(create.RequestId);
            if (transitions > 1 || objects.Count > 1 || sameRequest > 1)
            {
                Results.Add(new(create, Verdict.Duplicated, $"{transitions} terminal transitions, {objects.Count} stored objects, {sameRequest} rows for request_id {create.RequestId}"));
                continue;
            }
            switch (row.Status)
            {
                case "completed":
                    if (transitions == 0) Unaudited.Add(id);
                    Results.Add(await CheckFileAsync(create, row, objects, ct));
                    break;
                case "failed":
                    if (transitions == 0) Unaudited.Add(id);
                    Results.Add(new(create, Verdict.Failed, row.Error ?? "(no reason recorded)"));
                    break;
                default:
                    Results.Add(new(create, Verdict.Stuck, $"status {row.Status}"));
                    break;
            }
        }

        var claimed = creates.Where(c => c.SnapshotId is not null).Select(c => c.SnapshotId!.Value).ToHashSet();
        UnclaimedRows.AddRange(rows.Values.Where(r => !claimed.Contains(r.Id)));
        OrphanFiles.AddRange(files.Where(f => !rows.ContainsKey(f.Key)).SelectMany(f => f.Value));
    }

    private async Task<Classified> CheckFileAsync(CreateRecord create, SnapshotFacts row, List<string> objects, CancellationToken ct)
    {
        if (objects.Count == 0) return new(create, Verdict.Corrupt, $"COMPLETED but no stored file (file_key {row.FileKey})");
        var key = objects[0];
        await using var content = await store.OpenReadAsync(key, ct);
        if (content is null) return new(create, Verdict.Corrupt, $"stored file {key} vanished while being checked");
        var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(content, ct));
        return sha == row.Sha256
            ? new(create, Verdict.Done, "")
            : new(create, Verdict.Corrupt, $"stored file {key} has SHA-256 {sha}, recorded {row.Sha256}");
    }

    /// <summary>Stored snapshot files by snapshot id (the name's stem); temporary files of interrupted writes are listed apart.</summary>
    private async Task<Dictionary<Guid, List<string>>> StoredFilesAsync(CancellationToken ct)
    {
        var byId = new Dictionary<Guid, List<string>>();
        await foreach (var stored in store.ListAsync(ct))
        {
            if (!stored.Key.StartsWith("rooms/", StringComparison.Ordinal)) continue;
            var stem = Path.GetFileName(stored.Key).Split('.')[0];
            if (!Guid.TryParseExact(stem, "D", out var id))
            {
                OrphanFiles.Add(stored.Key);
                continue;
            }
            if (!byId.TryGetValue(id, out var list)) byId[id] = list = [];
            list.Add(stored.Key);
        }
        var rooms = storageRoot is null ? null : Path.Combine(storageRoot, "rooms");
        if (rooms is not null && Directory.Exists(rooms))
            TemporaryFiles.AddRange(Directory.EnumerateFiles(rooms, "*.tmp", SearchOption.AllDirectories));
        return byId;
    }
}
