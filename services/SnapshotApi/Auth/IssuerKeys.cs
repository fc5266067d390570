using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Sts.SnapshotApi.Telemetry;

namespace Sts.SnapshotApi.Auth;

/// <summary>One public key of the issuer, with the key id and algorithm its JWK declares (either may be absent).</summary>
public sealed record IssuerKey(string? KeyId, string? Algorithm, SecurityKey Key);

/// <summary>The keys one fetch returned.</summary>
public sealed record IssuerKeySet(IReadOnlyList<IssuerKey> Keys, DateTimeOffset FetchedAt)
{
    public bool Has(string keyId) => Keys.Any(k => k.KeyId == keyId);

    /// <summary>
    /// The issuer's RSA and EC signing keys from a JWKS. Symmetric ("oct") keys are dropped, whatever the JWKS says:
    /// a key published to everyone must never verify an HMAC.
    /// </summary>
    public static IssuerKeySet From(JsonWebKeySet jwks, DateTimeOffset fetchedAt) => new(
        jwks.Keys
            .Where(k => k.Kty is JsonWebAlgorithmsKeyTypes.RSA or JsonWebAlgorithmsKeyTypes.EllipticCurve)
            .Where(k => string.IsNullOrEmpty(k.Use) || k.Use == JsonWebKeyUseNames.Sig)
            .Select(k => JsonWebKeyConverter.TryConvertToSecurityKey(k, out var key) ? new IssuerKey(NullIfEmpty(k.Kid), NullIfEmpty(k.Alg), key) : null)
            .OfType<IssuerKey>()
            .ToList(),
        fetchedAt);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>
/// The issuer's signing keys, cached. They are fetched at start-up (retried while the issuer is down), again every
/// Auth:KeyRefreshInterval, and when a token names a key id we do not have, so a rotated key works from its first
/// token. Fetches for unknown key ids happen at most once per Auth:KeyRefreshMinInterval, so forged key ids cannot
/// turn our callers into a flood against the issuer; concurrent requests share one fetch.
/// </summary>
public sealed partial class IssuerKeys
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(10);

    private readonly JwksSource _source;
    private readonly AuthOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<IssuerKeys> _logger;
    private readonly Counter<long> _fetches;
    private readonly Lock _gate = new();
    private IssuerKeySet? _current;
    private Task<bool>? _fetch;
    private long? _lastUnknownKeyFetch;

    public IssuerKeys(JwksSource source, IOptions<AuthOptions> options, TimeProvider clock, IMeterFactory meters, ILogger<IssuerKeys> logger)
    {
        _source = source;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _fetches = meters.Create(ApiMetrics.MeterName).CreateCounter<long>("sts.auth.key_fetches",
            description: "Fetches of the token issuer's signing keys, by reason (start, scheduled, unknown_key) and outcome.");
    }

    /// <summary>The keys last fetched, or null while none ever were.</summary>
    public IssuerKeySet? Current => Volatile.Read(ref _current);

    /// <summary>Why the last fetch failed; null after a success.</summary>
    public string? LastError { get; private set; }

    public string Source => _source.Description;

    /// <summary>
    /// The keys that may have signed a token: those with its key id (every key when it has none) whose JWK does not
    /// declare a different algorithm. Called by the token handler, after <see cref="EnsureKnownAsync"/>.
    /// </summary>
    public IEnumerable<SecurityKey> Resolve(string? keyId, string? algorithm) =>
        (Current?.Keys ?? [])
        .Where(k => string.IsNullOrEmpty(keyId) || k.KeyId == keyId)
        .Where(k => k.Algorithm is null || k.Algorithm == algorithm)
        .Select(k => k.Key);

    /// <summary>Fetches the keys once if a token names a key id we do not have, unless such a fetch happened too recently.</summary>
    public async Task EnsureKnownAsync(string? keyId, CancellationToken cancellationToken)
    {
        var current = Current;
        if (current is not null && (string.IsNullOrEmpty(keyId) || current.Has(keyId))) return;
        lock (_gate)
        {
            var now = _clock.GetTimestamp();
            if (_lastUnknownKeyFetch is { } last && _clock.GetElapsedTime(last, now) < _options.KeyRefreshMinInterval) return;
            _lastUnknownKeyFetch = now;
        }
        await FetchAsync("unknown_key").WaitAsync(cancellationToken);
    }

    /// <summary>Fetches now, or joins the fetch already under way. True when keys were loaded.</summary>
    public Task<bool> FetchAsync(string reason)
    {
        lock (_gate)
        {
            if (_fetch is { IsCompleted: false } running) return running;
            _fetch = FetchCoreAsync(reason);
            return _fetch;
        }
    }

    private async Task<bool> FetchCoreAsync(string reason)
    {
        await Task.Yield(); // out of the lock before any work
        using var timeout = new CancellationTokenSource(FetchTimeout);
        try
        {
            var keys = IssuerKeySet.From(await _source.FetchAsync(timeout.Token), _clock.GetUtcNow());
            if (keys.Keys.Count == 0) throw new IssuerKeysException($"{_source.Description} holds no RSA or EC signing keys.");
            var previous = Interlocked.Exchange(ref _current, keys);
            LastError = null;
            _fetches.Add(1, new("reason", reason), new("outcome", "ok"));
            if (previous is null || !KeyIds(previous).SequenceEqual(KeyIds(keys)))
                LogKeysLoaded(keys.Keys.Count, string.Join(", ", KeyIds(keys)), _source.Description, reason);
            return true;
        }
        catch (Exception ex) when (ex is IssuerKeysException or OperationCanceledException)
        {
            LastError = ex is IssuerKeysException ? ex.Message : $"{_source.Description} did not answer within {FetchTimeout.TotalSeconds:0} s.";
            _fetches.Add(1, new("reason", reason), new("outcome", "failed"));
            LogFetchFailed(reason, Current is null ? "no keys yet: every token is refused" : "the keys fetched before stay in use", LastError);
            return false;
        }
    }

    private static IEnumerable<string> KeyIds(IssuerKeySet keys) => keys.Keys.Select(k => $"{k.KeyId ?? "(no kid)"} {k.Algorithm ?? k.Key.GetType().Name}").Order(StringComparer.Ordinal);

    [LoggerMessage(LogLevel.Information, "Token signing keys loaded ({Count}: {KeyIds}) from {Source} ({Reason})")]
    private partial void LogKeysLoaded(int count, string keyIds, string source, string reason);

    [LoggerMessage(LogLevel.Warning, "Fetching the token signing keys ({Reason}) failed, {Consequence}: {Error}")]
    private partial void LogFetchFailed(string reason, string consequence, string error);
}
