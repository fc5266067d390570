using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Sts.Api.V1;
using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Tests.Rpc;

/// <summary>
/// Requests whose bytes no gRPC client library would send, posted as raw HTTP/2 to the real server: each gets the
/// status that says what is wrong with it (never UNKNOWN or INTERNAL), leaves one audit record, and changes nothing.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class UnreadableRequestTests(ApiFixture api) : IDisposable
{
    private const string CreateSnapshot = "/sts.snapshot.v1.SnapshotService/CreateSnapshot";
    private const string GetRoom = "/sts.snapshot.v1.RoomService/GetRoom";

    private readonly HttpClient _http = new();

    public static TheoryData<string, byte[], string> Bodies()
    {
        var valid = new CreateSnapshotRequest { RoomId = "room-unreadable", Title = "t", Type = SnapshotType.Json }.ToByteArray();
        return new()
        {
            { "no body at all", [], "carries no message" },
            { "three bytes of a header", [0, 0, 0], "inside the 5-byte message header" },
            { "header announcing more than is sent", [.. Header(0, 100), .. valid], $"ends after {valid.Length} of the 100 bytes" },
            { "two messages", [.. Frame(valid), .. Frame(valid)], "more than one message" },
            { "compression flag 7", [.. Header(7, (uint)valid.Length), .. valid], "compression flag 7" },
            { "compressed without grpc-encoding", Frame(Gzip(valid), compressed: true), "names no grpc-encoding" },
            { "truncated protobuf", Frame(valid[..^3]), "not a valid CreateSnapshotRequest" },
            { "invalid UTF-8 in room_id", Frame([0x0a, 0x02, 0xc3, 0x28]), "not a valid CreateSnapshotRequest" },
            { "eleven-byte varint", Frame([0x18, .. Enumerable.Repeat((byte)0xff, 10), 0x01]), "not a valid CreateSnapshotRequest" },
        };
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Unreadable_body_is_invalid_argument_audited_and_has_no_effect(string what, byte[] body, string reason)
    {
        var before = await AuditHeadAsync();
        var snapshots = await api.ScalarAsync<long>("SELECT count(*) FROM snapshots");

        var (status, message) = await PostAsync(CreateSnapshot, body, AdminToken());

        Assert.True(status == 3, $"{what}: grpc-status {status} ({message})");
        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.Equal(snapshots, await api.ScalarAsync<long>("SELECT count(*) FROM snapshots"));
        Assert.Equal($"{ApiFixture.AdminEmail} SnapshotService.CreateSnapshot invalid_argument", await AuditSinceAsync(before));
    }

    [Fact]
    public async Task Unreadable_body_from_a_caller_without_a_token_is_unauthenticated_and_audited()
    {
        var before = await AuditHeadAsync();

        var (status, message) = await PostAsync(GetRoom, Frame([0x0a, 0x02, 0xc3, 0x28]), token: null);

        Assert.True(status == 16, $"grpc-status {status} ({message})");
        Assert.Contains("missing bearer token", message, StringComparison.Ordinal);
        Assert.Equal("anonymous RoomService.GetRoom unauthenticated", await AuditSinceAsync(before));
    }

    [Fact]
    public async Task Message_over_the_size_limit_is_resource_exhausted_and_audited()
    {
        var before = await AuditHeadAsync();

        // Only the header is sent: the length alone decides, and the server must not wait for 20 MB.
        var (status, message) = await PostAsync(CreateSnapshot, Header(0, 20 * 1024 * 1024), AdminToken());

        Assert.True(status == 8, $"grpc-status {status} ({message})");
        Assert.Contains("exceeds the limit", message, StringComparison.Ordinal);
        Assert.Equal($"{ApiFixture.AdminEmail} SnapshotService.CreateSnapshot resource_exhausted", await AuditSinceAsync(before));
    }

    [Fact]
    public async Task Gzip_compressed_readable_request_is_served_and_compressed_garbage_is_refused()
    {
        var room = TestRooms.WithEveryRole();
        await api.Platform.Rooms.UpsertRoomAsync(new UpsertRoomRequest { Room = room });
        var request = new GetRoomRequest { RoomId = room.Id }.ToByteArray();

        var (served, _) = await PostAsync(GetRoom, Frame(Gzip(request), compressed: true), AdminToken(), encoding: "gzip");
        var (garbage, message) = await PostAsync(GetRoom, Frame(Gzip([0x0a, 0x02, 0xc3, 0x28]), compressed: true), AdminToken(), encoding: "gzip");
        var (notGzip, notGzipMessage) = await PostAsync(GetRoom, Frame([1, 2, 3, 4], compressed: true), AdminToken(), encoding: "gzip");
        var (unknown, unknownMessage) = await PostAsync(GetRoom, Frame(request, compressed: true), AdminToken(), encoding: "snappy");

        Assert.Equal(0, served);
        Assert.True(garbage == 3, $"grpc-status {garbage} ({message})");
        Assert.True(notGzip == 3, $"grpc-status {notGzip} ({notGzipMessage})");
        Assert.True(unknown == 12, $"grpc-status {unknown} ({unknownMessage})");
    }

    private string AdminToken() => TokenMinter.Mint(api.Tokens, ApiFixture.AdminEmail, StsClaims.AdminRole, [], TimeSpan.FromMinutes(5));

    /// <summary>Posts a body as a gRPC call and returns grpc-status and grpc-message, from the headers (trailers-only) or the trailers.</summary>
    private async Task<(int Status, string Message)> PostAsync(string path, byte[] body, string? token, string? encoding = null)
    {
        // HTTP/2 with prior knowledge (h2c), as gRPC clients speak to the plaintext endpoint.
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api.Address, path))
        {
            Content = new ByteArrayContent(body),
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (encoding is not null) request.Headers.TryAddWithoutValidation("grpc-encoding", encoding);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await _http.SendAsync(request, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.ReadAsByteArrayAsync(timeout.Token);
        string? Value(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? values.First() : null;
        var status = Value(response.Headers, "grpc-status") ?? Value(response.TrailingHeaders, "grpc-status")
                     ?? throw new InvalidOperationException($"No grpc-status in the response to {path}.");
        var message = Value(response.Headers, "grpc-message") ?? Value(response.TrailingHeaders, "grpc-message") ?? "";
        return (int.Parse(status, System.Globalization.CultureInfo.InvariantCulture), Uri.UnescapeDataString(message));
    }

    private Task<long> AuditHeadAsync() => api.ScalarAsync<long>("SELECT coalesce(max(id), 0) FROM audit_log");

    /// <summary>The records written after <paramref name="sequence"/>, as "actor action outcome" lines.</summary>
    private async Task<string> AuditSinceAsync(long sequence) =>
        await api.ScalarAsync<string>(
            "SELECT string_agg(actor || ' ' || action || ' ' || outcome, E'\\n' ORDER BY id) FROM audit_log WHERE id > @p0", sequence) ?? "";

    private static byte[] Header(byte flag, uint length)
    {
        var header = new byte[5];
        header[0] = flag;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), length);
        return header;
    }

    private static byte[] Frame(byte[] payload, bool compressed = false) => [.. Header(compressed ? (byte)1 : (byte)0, (uint)payload.Length), .. payload];

    private static byte[] Gzip(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest)) gzip.Write(bytes);
        return output.ToArray();
    }

    public void Dispose() => _http.Dispose();
}
