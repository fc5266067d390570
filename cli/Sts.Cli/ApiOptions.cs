using System.CommandLine;
using Grpc.Core;

namespace Sts.Cli;

/// <summary>The options every API command takes, and how they become an <see cref="ApiConnection"/>.</summary>
public sealed class ApiOptions
{
    private const string DefaultAddress = "http://127.0.0.1:5080";
    private static readonly TimeSpan MintedTokenLifetime = TimeSpan.FromHours(1);

    private readonly Option<string?> _api = new("--api")
    {
        Description = $"API address (HTTP/2; http:// means h2c, https:// TLS). Default: $STS_API, else {DefaultAddress}.",
        HelpName = "url",
    };

    private readonly Option<string?> _ca = new("--ca")
    {
        Description = "PEM file of the authority that issued the API's certificate, trusted instead of the system store (https:// only). Default: $STS_CA.",
        HelpName = "path",
    };

    private readonly Option<string?> _cert = new("--cert")
    {
        Description = "Client certificate (PEM) for an API that requires mutual TLS; with --key. Default: $STS_CERT.",
        HelpName = "path",
    };

    private readonly Option<string?> _key = new("--key")
    {
        Description = "Private key (PEM) of --cert. Default: $STS_KEY.",
        HelpName = "path",
    };

    private readonly Option<string?> _token = new("--token")
    {
        Description = "Bearer token. Default: $STS_TOKEN, else a dev token minted with the local signing key.",
    };

    private readonly Option<string?> _as = new("--as") { HelpName = "email" };

    private readonly Option<string?> _keyFile = new("--key-file")
    {
        Description = "Signing key for minting (base64). Default: $Auth__SigningKey, else <repo>/.local/dev-signing-key.",
        HelpName = "path",
    };

    private readonly Option<TimeSpan?> _timeout = Duration.OptionalOption("--timeout",
        $"Deadline of each call. Default: {Duration.Format(ApiConnection.DefaultUnaryTimeout)}, or {Duration.Format(ApiConnection.DefaultStreamTimeout)} for watch and download.");

    private readonly DevIdentity? _identity;

    /// <summary>Adds the options to <paramref name="command"/>. A null <paramref name="identity"/> means the calls need no token.</summary>
    public ApiOptions(Command command, DevIdentity? identity)
    {
        _identity = identity;
        command.Options.Add(_api);
        command.Options.Add(_ca);
        command.Options.Add(_cert);
        command.Options.Add(_key);
        command.Options.Add(_timeout);
        if (identity is null) return;
        _as.Description = $"Mint the dev token for this email, as a plain room party. Default identity: {identity}.";
        command.Options.Add(_token);
        command.Options.Add(_as);
        command.Options.Add(_keyFile);
    }

    /// <summary>Connects, runs the command's work and reports its failure as one line with an exit code.</summary>
    public Task<int> RunAsync(ParseResult parseResult, Func<ApiConnection, Task<int>> run) =>
        ErrorReport.GuardAsync(async () =>
        {
            using var connection = Connect(parseResult);
            try
            {
                return await run(connection);
            }
            catch (RpcException ex)
            {
                return ErrorReport.Report(ex, connection.Explain(ex));
            }
        });

    private ApiConnection Connect(ParseResult parseResult)
    {
        var address = parseResult.GetValue(_api) ?? Env.Get("STS_API") ?? DefaultAddress;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new CliException($"--api '{address}' is not an http:// or https:// URL.", ExitCodes.InvalidArguments);
        var tls = new ClientTls(parseResult.GetValue(_ca) ?? Env.Get("STS_CA"), parseResult.GetValue(_cert) ?? Env.Get("STS_CERT"), parseResult.GetValue(_key) ?? Env.Get("STS_KEY"));
        if (_identity is null) return new ApiConnection(uri, tls, null, parseResult.GetValue(_timeout), null);

        // Explicit flags beat the environment: --token, then --as, then $STS_TOKEN, then the command's default identity.
        var explicitIdentity = parseResult.GetValue(_as) is { } email ? DevIdentity.Party(email) : null;
        var token = parseResult.GetValue(_token) ?? (explicitIdentity is null ? Env.Get("STS_TOKEN") : null);
        var mintFor = token is null ? explicitIdentity ?? _identity : null;
        if (mintFor is not null)
        {
            var (settings, keySource) = SigningSettings.Resolve(parseResult.GetValue(_keyFile));
            token = mintFor.Mint(settings, MintedTokenLifetime);
            ErrorReport.Write($"using a dev token for {mintFor}, signed with {keySource}");
        }
        return new ApiConnection(uri, tls, token, parseResult.GetValue(_timeout), mintFor);
    }
}
