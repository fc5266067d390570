using System.CommandLine;
using System.Security.Cryptography;
using Grpc.Core;
using Sts.Api.V1;
using Sts.Cli.Display;
using ContentCase = Sts.Api.V1.DownloadSnapshotResponse.ContentOneofCase;

namespace Sts.Cli.Commands;

/// <summary>
/// sts snapshots download: streams the file into a temporary file beside the target while hashing it,
/// and moves it into place only when size and SHA-256 match the metadata. A file that does not verify is deleted.
/// </summary>
public static class SnapshotDownload
{
    public static Command Create()
    {
        var id = SnapshotCommands.SnapshotId();
        var output = new Option<string?>("--out")
        {
            Description = "File or existing directory to write to. Default: the server's file name, in the current directory.",
            HelpName = "path",
        };
        var command = new Command("download", "Download a completed snapshot's file and verify its SHA-256.") { id, output };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult,
            connection => DownloadAsync(connection, parseResult.GetRequiredValue(id), parseResult.GetValue(output), ct)));
        return command;
    }

    /// <summary>Downloads and verifies; <paramref name="output"/> is a file, an existing directory, or null for the server's name here.</summary>
    public static async Task<int> DownloadAsync(ApiConnection connection, string snapshotId, string? output, CancellationToken ct)
    {
        using var call = connection.Snapshots.DownloadSnapshot(new DownloadSnapshotRequest { SnapshotId = snapshotId }, connection.Stream(ct));
        var stream = call.ResponseStream;
        if (!await stream.MoveNext(ct) || stream.Current.ContentCase != ContentCase.Metadata)
            throw new CliException($"The download of snapshot {snapshotId} did not start with the file's metadata.");
        var metadata = stream.Current.Metadata;

        var target = TargetPath(output, metadata.FileName, snapshotId);
        var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.part");
        try
        {
            var (size, sha256) = await WriteAsync(stream, temporary, metadata.SizeBytes, ct);
            var problem = size > metadata.SizeBytes ? $"more than the announced {ValueText.Number(metadata.SizeBytes)} bytes arrived"
                : size < metadata.SizeBytes ? $"only {ValueText.Number(size)} of {ValueText.Number(metadata.SizeBytes)} bytes arrived"
                : sha256 != metadata.Sha256 ? $"its SHA-256 is {sha256}, not {metadata.Sha256}"
                : null;
            if (problem is not null)
                throw new CliException($"The download of snapshot {snapshotId} does not verify: {problem}. Nothing was kept.");
            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
        Details.Write(("path", target), ("size", ValueText.ExactBytes(metadata.SizeBytes)), ("sha256", metadata.Sha256), ("type", metadata.ContentType));
        return ExitCodes.Ok;
    }

    /// <summary>Writes the chunks that follow the metadata; stops reading once more bytes arrive than announced.</summary>
    private static async Task<(long Size, string Sha256)> WriteAsync(
        IAsyncStreamReader<DownloadSnapshotResponse> stream, string path, long expectedSize, CancellationToken ct)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long size = 0;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true))
        {
            while (size <= expectedSize && await stream.MoveNext(ct))
            {
                if (stream.Current.ContentCase != ContentCase.Chunk)
                    throw new CliException("The download sent a second metadata message instead of file bytes.");
                var chunk = stream.Current.Chunk.Memory;
                hash.AppendData(chunk.Span);
                await file.WriteAsync(chunk, ct);
                size += chunk.Length;
            }
            // On disk before the rename, so that a crash cannot leave a verified name on unwritten bytes.
            file.Flush(flushToDisk: true);
        }
        return (size, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>The server suggests only a file name; it never chooses the directory.</summary>
    private static string TargetPath(string? output, string suggestedName, string snapshotId)
    {
        var name = Path.GetFileName(suggestedName);
        if (name is "" or "." or "..") name = snapshotId;
        var target = Path.GetFullPath(output is null ? name : Directory.Exists(output) ? Path.Combine(output, name) : output);
        var directory = Path.GetDirectoryName(target)!;
        return Directory.Exists(directory)
            ? target
            : throw new CliException($"Cannot write {target}: directory {directory} does not exist.", ExitCodes.InvalidArguments);
    }
}
