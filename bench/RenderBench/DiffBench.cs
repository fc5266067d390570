using System.Diagnostics;
using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Sts.Api.V1;
using Sts.Shared.Rooms;
using Activity = Sts.Api.V1.Activity;

namespace Sts.RenderBench;

/// <summary>
/// Times RoomDiff.Compute (what DiffSnapshots and a PDF's "Changes since" section compute) on a generated pair of large
/// rooms: 2,000 documents, a quarter of them changed in status and notes, 100 removed, 100 added, and 500 activity
/// entries appended to a log of 5,000. The budget is 100 ms per diff.
/// </summary>
internal static class DiffBench
{
    public static void Run(int runs)
    {
        var (before, after) = Pair();
        for (var i = 0; i < 20; i++) RoomDiff.Compute(before, after);   // warm-up
        var times = new double[runs];
        var changes = 0;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        for (var r = 0; r < runs; r++)
        {
            var watch = Stopwatch.StartNew();
            changes = RoomDiff.Compute(before, after).Changes.Count;
            times[r] = watch.Elapsed.TotalMilliseconds;
        }
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / runs;
        Array.Sort(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Diff of two 2,000-document rooms ({changes} changes, {runs} runs): median {times[runs / 2]:F2} ms, p95 {times[(int)(runs * 0.95)]:F2} ms, CPU {cpu:F2} ms per diff (budget 100 ms)."));
    }

    private static (Room Before, Room After) Pair()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var before = new Room { Id = "diff-bench", Title = "Diff benchmark", Location = "Off Skaw", Version = 40 };
        for (var p = 0; p < 20; p++)
            before.Parties.Add(new Party { Email = $"party{p}@example.com", Role = (PartyRole)(p % 6 + 1), Company = $"Company {p}", Name = $"Person {p}" });
        before.Vessels.Add(new Vessel { Name = "MT Aurora", Imo = "9000101", Role = VesselRole.Mother });
        before.Vessels.Add(new Vessel { Name = "MT Boreas", Imo = "9100101", Role = VesselRole.Daughter });
        for (var d = 0; d < 2_000; d++)
        {
            before.Documents.Add(new Document
            {
                Id = $"doc-{d:D5}", Type = "Certificate of class", Vessel = d % 2 == 0 ? "MT Aurora" : "MT Boreas", Status = DocumentStatus.Pending,
                ExpiresOn = "2027-06-30", UploadedBy = $"party{d % 20}@example.com", Notes = $"Checked against the original, batch {d / 50}.",
            });
        }
        for (var a = 0; a < 5_000; a++)
        {
            before.Activities.Add(new Activity
            {
                At = Timestamp.FromDateTimeOffset(start.AddMinutes(a)), Actor = $"party{a % 20}@example.com", Action = "message.posted", Detail = $"Message {a}",
            });
        }

        var after = before.Clone();
        after.Version = 41;
        for (var d = 0; d < 2_000; d += 4)
        {
            after.Documents[d].Status = DocumentStatus.Approved;
            after.Documents[d].Notes += " Approved.";
        }
        for (var d = 0; d < 100; d++) after.Documents.RemoveAt(after.Documents.Count - 1);
        for (var d = 0; d < 100; d++)
            after.Documents.Add(new Document { Id = $"doc-new-{d:D3}", Type = "Hose certificate", Vessel = "MT Aurora", Status = DocumentStatus.UnderReview });
        for (var a = 0; a < 500; a++)
        {
            after.Activities.Add(new Activity
            {
                At = Timestamp.FromDateTimeOffset(start.AddMinutes(5_000 + a)), Actor = "party1@example.com", Action = "document.reviewed", Detail = $"Review {a}",
            });
        }
        return (before, after);
    }
}
