using Sts.Shared.Auth;
using Sts.SnapshotApi.Tests.Auth;

namespace Sts.SnapshotApi.Tests.Tls;

/// <summary>`sts` against a TLS gRPC port: --ca to trust a private CA, --cert and --key for mutual TLS, and clear refusals of settings that cannot work.</summary>
[Collection(ApiCollection.Name)]
public sealed class CliOverTlsTests(ApiFixture api)
{
    [Fact]
    public async Task Sts_trusts_the_api_with_ca_and_says_what_is_missing_without_it()
    {
        using var pki = new TestPki("STS Test CA");
        await using var replica = await TlsReplica.StartAsync(api, TlsReplica.Settings(pki.Write(pki.IssueServer(), "server")));
        var room = await api.NewRoomAsync();

        var health = await StsCli.RunAsync("health", "--api", replica.Address.ToString(), "--ca", pki.CaFile);
        Assert.True(health is { ExitCode: 0, Stdout: "SERVING" }, health.ToString());
        var get = await StsCli.RunAsync("rooms", "get", room, "--api", replica.Address.ToString(), "--ca", pki.CaFile, "--token", AdminToken());
        Assert.True(get.ExitCode == 0 && get.Stdout.Contains(room, StringComparison.Ordinal), get.ToString());

        var untrusted = await StsCli.RunAsync("health", "--api", replica.Address.ToString());
        Assert.True(untrusted.ExitCode == 1 && untrusted.Stderr.Contains("--ca", StringComparison.Ordinal), untrusted.ToString());
    }

    [Fact]
    public async Task Sts_presents_a_client_certificate_with_cert_and_key_and_is_refused_without_one()
    {
        using var pki = new TestPki("STS Test CA");
        await using var replica = await TlsReplica.StartAsync(api, TlsReplica.Settings(pki.Write(pki.IssueServer(), "server"), pki.CaFile));
        var client = pki.Write(pki.IssueClient("CN=ops-laptop, O=STS Test"), "client");
        var room = await api.NewRoomAsync();

        var get = await StsCli.RunAsync("rooms", "get", room, "--api", replica.Address.ToString(),
            "--ca", pki.CaFile, "--cert", client.Certificate, "--key", client.Key, "--token", AdminToken());
        Assert.True(get.ExitCode == 0 && get.Stdout.Contains(room, StringComparison.Ordinal), get.ToString());

        var without = await StsCli.RunAsync("rooms", "get", room, "--api", replica.Address.ToString(), "--ca", pki.CaFile, "--token", AdminToken());
        Assert.True(without.ExitCode == 1 && without.Stderr.Contains("--cert and --key", StringComparison.Ordinal), without.ToString());
    }

    public static TheoryData<string, string[], string> BadOptions => new()
    {
        { "--ca with a plaintext address", ["--api", "http://127.0.0.1:5080", "--ca", "ca.crt"], "are for https:// addresses" },
        { "--cert without --key", ["--api", "https://127.0.0.1:5080", "--cert", "tls.crt"], "--cert and --key go together" },
        { "--ca that does not exist", ["--api", "https://127.0.0.1:5080", "--ca", "/nonexistent/ca.crt"], "--ca '/nonexistent/ca.crt' cannot be read" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Tls_options_that_cannot_work_exit_2_before_any_call(string options, string[] args, string message)
    {
        var run = await StsCli.RunAsync(["health", .. args]);

        Assert.True(run.ExitCode == 2 && run.Stderr.Contains(message, StringComparison.Ordinal), $"{options}: {run}");
    }

    private string AdminToken() => api.Mint(ApiFixture.AdminEmail, StsClaims.AdminRole, [], TimeSpan.FromMinutes(10));

}
