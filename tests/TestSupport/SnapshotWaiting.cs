using System.Diagnostics;
using System.Security.Cryptography;
using Grpc.Core;
using Sts.Api.V1;

namespace Sts.Tests.Support;

/// <summary>Client-side helpers: follow a snapshot to its end, fetch its file, read a PDF's text.</summary>
public static class SnapshotWaiting
{
    /// <summary>Watches until COMPLETED or FAILED and returns every state the stream sent.</summary>
    public static async Task<List<Snapshot>> WatchToEndAsync(this ApiClient client, string snapshotId, TimeSpan? timeout = null)
    {
        var states = new List<Snapshot>();
        using var call = client.Snapshots.WatchSnapshot(new WatchSnapshotRequest { SnapshotId = snapshotId },
            deadline: DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60)));
        await foreach (var message in call.ResponseStream.ReadAllAsync())
            states.Add(message.Snapshot);
        return states;
    }

    public static async Task<(FileMetadata Metadata, byte[] Bytes)> DownloadAsync(this ApiClient client, string snapshotId)
    {
        using var call = client.Snapshots.DownloadSnapshot(new DownloadSnapshotRequest { SnapshotId = snapshotId }, deadline: DateTime.UtcNow.AddSeconds(60));
        FileMetadata? metadata = null;
        using var bytes = new MemoryStream();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            if (message.ContentCase == DownloadSnapshotResponse.ContentOneofCase.Metadata) metadata = message.Metadata;
            else message.Chunk.WriteTo(bytes);
        }
        return (metadata ?? throw new InvalidOperationException("The stream carried no metadata."), bytes.ToArray());
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>The text of a PDF, by poppler's pdftotext (Debian package poppler-utils).</summary>
    public static async Task<string> PdfTextAsync(byte[] pdf)
    {
        var path = Path.Combine(Path.GetTempPath(), $"sts-test-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(path, pdf);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-enc", "UTF-8", path, "-"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException("pdftotext did not start; install poppler-utils.");
            var text = process.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"pdftotext failed: {await process.StandardError.ReadToEndAsync()}");
            return await text;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Polls a condition until it holds or the timeout passes.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {timeout.TotalSeconds} s waiting for {what}.");
            await Task.Delay(50);
        }
    }
}
