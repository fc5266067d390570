using Grpc.Core;
using Sts.Api.V1;
using Sts.PdfWorker.Tests.Support;
using Sts.Shared.Auth;
using Sts.Shared.Pdf;

namespace Sts.EndToEnd.Tests.Snapshots;

/// <summary>
/// Files that prove themselves, end to end over the real pipeline: the worker's signed PDFs pass pdfsig (poppler, an
/// independent verifier), and VerifyFile and `sts verify` say which snapshot a file is, to its parties only.
/// </summary>
[Collection(PipelineCollection.Name)]
public sealed class VerifyFileTests(PipelineFixture cluster)
{
    [Theory]
    [InlineData("small")]
    [InlineData("medium")]
    [InlineData("large")]
    public async Task Pdfsig_accepts_the_pipelines_pdf_and_rejects_it_with_one_byte_flipped(string fixture)
    {
        var room = await UpsertAsync(TestRooms.Fixture(fixture, TestRooms.UniqueId(fixture)));
        var (_, pdf) = await CompletedFileAsync(room.Id, SnapshotType.Pdf);

        var (exitCode, report) = Poppler.Pdfsig(pdf);
        Assert.True(exitCode == 0, report);
        Assert.Contains("Signature Validation: Signature is Valid.", report, StringComparison.Ordinal);
        Assert.Contains("Total document signed", report, StringComparison.Ordinal);
        Assert.Contains("Certificate Validation: Certificate is Trusted.", Poppler.PdfsigTrusting(pdf, TestSigning.AuthorityPem), StringComparison.Ordinal);

        var (_, tamperedReport) = Poppler.Pdfsig(FlipOneByte(pdf));
        Assert.DoesNotContain("Signature is Valid", tamperedReport, StringComparison.Ordinal);
        Assert.Matches("Signature Validation: (Digest Mismatch|Signature is Invalid)", tamperedReport);
    }

    [Fact]
    public async Task A_party_learns_which_snapshot_the_file_is_with_its_audit_records_in_the_verified_chain()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var (snapshot, pdf) = await CompletedFileAsync(room.Id, SnapshotType.Pdf);
        var buyer = cluster.As(TestRooms.Email(room.Id, PartyRole.Buyer));

        var file = Assert.Single((await buyer.Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = SnapshotWaiting.Sha256(pdf).ToUpperInvariant() })).Files);

        Assert.Equal(snapshot.Id, file.SnapshotId);
        Assert.Equal(room.Id, file.RoomId);
        Assert.Equal(SnapshotType.Pdf, file.Type);
        Assert.Equal(ApiFixture.AdminEmail, file.CreatedBy);
        Assert.Equal(snapshot.CreateTime, file.CreateTime);
        Assert.Equal(snapshot.ContentHash, file.ContentHash);
        Assert.Equal(room.Version, file.RoomVersion);
        Assert.Equal(pdf.Length, file.SizeBytes);
        Assert.True(file.SnapshotExists);
        Assert.True(file.FileStored);
        Assert.Equal(["SnapshotService.CreateSnapshot", "SnapshotCompleted"], file.AuditEvents.Select(e => e.Action));
        Assert.True(file.AuditChainVerified, file.AuditChainDetail);
        // The file's own claim agrees with the service.
        Assert.Equal(new PdfClaim(snapshot.Id, room.Id, room.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), snapshot.ContentHash), SnapshotPdf.ReadClaim(pdf));

        // The positions are the chain's: the records under those sequences, as the audit log lists them, and the
        // whole chain verifies at least that far.
        var listed = await AuditOfRoomAsync(room.Id);
        foreach (var e in file.AuditEvents)
        {
            Assert.True(e.Sequence > 0, $"{e.Action} is not sealed");
            var same = Assert.Single(listed, l => l.Sequence == e.Sequence);
            Assert.Equal(e.Hash, same.Hash);
            Assert.Equal(e.Action, same.Action);
        }
        var chain = await cluster.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());
        Assert.True(chain.Valid, chain.Reason);
        Assert.True(chain.Checked >= file.AuditEvents.Max(e => e.Sequence));
    }

    [Fact]
    public async Task An_altered_earlier_audit_record_makes_the_chain_fail_where_VerifyAuditChain_says()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var (_, file) = await CompletedFileAsync(room.Id, SnapshotType.Json);
        var sha256 = SnapshotWaiting.Sha256(file);
        var created = (await cluster.Admin.Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = sha256 })).Files[0].AuditEvents[0];
        var target = created.Sequence - 1;
        var original = await cluster.ScalarAsync<string>("SELECT outcome FROM audit_log WHERE sequence = @p0", target);
        try
        {
            await cluster.ExecuteAsync("UPDATE audit_log SET outcome = 'forged' WHERE sequence = @p0", target);

            var verified = (await cluster.Admin.Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = sha256 })).Files[0];
            var chain = await cluster.Admin.Audit.VerifyAuditChainAsync(new VerifyAuditChainRequest());

            Assert.False(verified.AuditChainVerified);
            Assert.False(chain.Valid);
            Assert.Equal(target, chain.FirstBadSequence);
            Assert.Contains($"breaks at record {target}", verified.AuditChainDetail, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.ExecuteAsync("UPDATE audit_log SET outcome = @p1 WHERE sequence = @p0", target, original!);
        }
    }

    [Fact]
    public async Task An_outsider_gets_not_found_exactly_as_for_an_unknown_hash()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var (_, pdf) = await CompletedFileAsync(room.Id, SnapshotType.Pdf);
        var known = SnapshotWaiting.Sha256(pdf);
        var unknown = SnapshotWaiting.Sha256(Guid.NewGuid().ToByteArray());
        var outsider = cluster.As($"outsider@{room.Id}.test");

        var forKnown = await Assert.ThrowsAsync<RpcException>(() => outsider.Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = known }).ResponseAsync);
        var forUnknown = await Assert.ThrowsAsync<RpcException>(() => outsider.Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = unknown }).ResponseAsync);
        var partyForUnknown = await Assert.ThrowsAsync<RpcException>(() =>
            cluster.As(TestRooms.Email(room.Id, PartyRole.Owner)).Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = unknown }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, forKnown.StatusCode);
        Assert.Equal(StatusCode.NotFound, forUnknown.StatusCode);
        Assert.Equal(forKnown.Status.Detail.Replace(known, "HASH", StringComparison.Ordinal), forUnknown.Status.Detail.Replace(unknown, "HASH", StringComparison.Ordinal));
        Assert.Equal(StatusCode.NotFound, partyForUnknown.StatusCode);
        Assert.Contains("changed in any byte", forUnknown.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_modified_file_matches_no_snapshot()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var (_, pdf) = await CompletedFileAsync(room.Id, SnapshotType.Pdf);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            cluster.Admin.Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = SnapshotWaiting.Sha256(FlipOneByte(pdf)) }).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task A_deleted_snapshots_file_is_found_in_the_audit_log_and_no_longer_stored()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var (snapshot, csv) = await CompletedFileAsync(room.Id, SnapshotType.Csv, title: $"deleted {Guid.NewGuid():N}");
        await cluster.Admin.Snapshots.DeleteSnapshotAsync(new DeleteSnapshotRequest { SnapshotId = snapshot.Id });

        var files = (await cluster.As(TestRooms.Email(room.Id, PartyRole.Seller)).Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = SnapshotWaiting.Sha256(csv) })).Files;

        var file = Assert.Single(files, f => f.SnapshotId == snapshot.Id);
        Assert.False(file.SnapshotExists);
        Assert.False(file.FileStored);
        Assert.Equal(room.Id, file.RoomId);
        Assert.Equal(SnapshotType.Csv, file.Type);
        Assert.Equal(ApiFixture.AdminEmail, file.CreatedBy);
        Assert.Equal(snapshot.ContentHash, file.ContentHash);
        Assert.Equal(room.Version, file.RoomVersion);
        Assert.Equal(csv.Length, file.SizeBytes);
        Assert.NotNull(file.CompleteTime);
        Assert.Equal(["SnapshotService.CreateSnapshot", "SnapshotCompleted", "SnapshotService.DeleteSnapshot"], file.AuditEvents.Select(e => e.Action));
        Assert.True(file.AuditChainVerified, file.AuditChainDetail);
    }

    [Fact]
    public async Task Sts_verify_accepts_the_file_and_rejects_it_with_one_byte_flipped()
    {
        var room = await UpsertAsync(TestRooms.WithEveryRole());
        var (snapshot, pdf) = await CompletedFileAsync(room.Id, SnapshotType.Pdf);
        var dir = Directory.CreateTempSubdirectory("sts-verify-").FullName;
        try
        {
            var good = Path.Combine(dir, "snapshot.pdf");
            var bad = Path.Combine(dir, "tampered.pdf");
            var authority = Path.Combine(dir, "authority.pem");
            await File.WriteAllBytesAsync(good, pdf);
            await File.WriteAllBytesAsync(bad, FlipOneByte(pdf));
            await File.WriteAllTextAsync(authority, TestSigning.AuthorityPem);
            var token = TokenMinter.Mint(cluster.Tokens, TestRooms.Email(room.Id, PartyRole.Charterer), null, [], TimeSpan.FromMinutes(5));
            string[] common = ["--api", cluster.Address.ToString(), "--token", token, "--trust", authority];

            var (okCode, okOut, okErr) = await StsCli.RunAsync(["verify", good, .. common]);
            var (badCode, badOut, _) = await StsCli.RunAsync(["verify", bad, .. common]);

            Assert.True(okCode == 0, okOut + okErr);
            Assert.Contains("VALID: the signature matches, and it covers the whole file", okOut, StringComparison.Ordinal);
            Assert.Contains("yes: issued by", okOut, StringComparison.Ordinal);
            Assert.Contains(snapshot.Id, okOut, StringComparison.Ordinal);
            Assert.Contains("verified from its first record", okOut, StringComparison.Ordinal);
            Assert.NotEqual(0, badCode);
            Assert.Contains("INVALID", badOut, StringComparison.Ordinal);
            Assert.Contains("DOES NOT MATCH", badOut, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A byte in the middle of the first signed range, in page content: the file still parses.</summary>
    private static byte[] FlipOneByte(byte[] file)
    {
        var copy = file.ToArray();
        copy[copy.Length / 4] ^= 0x01;
        return copy;
    }

    private async Task<List<AuditEvent>> AuditOfRoomAsync(string roomId)
    {
        var events = new List<AuditEvent>();
        var token = "";
        do
        {
            var page = await cluster.Admin.Audit.ListAuditEventsAsync(new ListAuditEventsRequest { RoomId = roomId, PageSize = 100, PageToken = token });
            events.AddRange(page.Events);
            token = page.NextPageToken;
        } while (token.Length > 0);
        return events;
    }

    private async Task<(Snapshot Snapshot, byte[] File)> CompletedFileAsync(string roomId, SnapshotType type, string title = "Evidence")
    {
        var created = (await cluster.Admin.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { RoomId = roomId, Title = title, Type = type })).Snapshot;
        var final = (await cluster.Admin.WatchToEndAsync(created.Id, TimeSpan.FromSeconds(120)))[^1];
        Assert.True(final.Status == SnapshotStatus.Completed, final.Error);
        return (final, (await cluster.Admin.DownloadAsync(created.Id)).Bytes);
    }

    private async Task<Room> UpsertAsync(Room room)
    {
        room.Version = (await cluster.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room })).Room.Version;
        return room;
    }
}
