using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Sts.SnapshotApi.Auth;

/// <summary>Reads the issuer's key set: through its discovery document, from a fixed URL, or from a file.</summary>
public sealed class JwksSource(IOptions<AuthOptions> options, IHttpClientFactory httpClients)
{
    public const string HttpClientName = "sts-issuer";

    private AuthOptions Options => options.Value;

    private string MetadataAddress => Options.Authority.TrimEnd('/') + "/.well-known/openid-configuration";

    /// <summary>Where the keys come from, for logs and health reports.</summary>
    public string Description => Options.Mode switch
    {
        AuthMode.Discovery => $"discovery document {MetadataAddress}",
        _ => $"JWKS {Options.Jwks}",
    };

    /// <exception cref="IssuerKeysException">The issuer cannot be reached or says something we cannot use.</exception>
    public async Task<JsonWebKeySet> FetchAsync(CancellationToken cancellationToken)
    {
        var retriever = new HttpDocumentRetriever(httpClients.CreateClient(HttpClientName)) { RequireHttps = Options.RequireHttpsMetadata };
        try
        {
            if (Options.Mode == AuthMode.Discovery)
            {
                var configuration = await OpenIdConnectConfigurationRetriever.GetAsync(MetadataAddress, retriever, cancellationToken);
                // OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer it was fetched for.
                if (!string.Equals(configuration.Issuer, Options.Issuer, StringComparison.Ordinal))
                    throw new IssuerKeysException($"{Description} names issuer '{configuration.Issuer}', but Auth:Issuer is '{Options.Issuer}'.");
                return configuration.JsonWebKeySet ?? throw new IssuerKeysException($"{Description} names no jwks_uri.");
            }
            var json = Options.Jwks.Contains("://", StringComparison.Ordinal)
                ? await retriever.GetDocumentAsync(Options.Jwks, cancellationToken)
                : await File.ReadAllTextAsync(Options.Jwks, cancellationToken);
            return new JsonWebKeySet(json);
        }
        catch (Exception ex) when (ex is not IssuerKeysException && !cancellationToken.IsCancellationRequested)
        {
            // IdentityModel hides URLs in its own messages; the innermost exception says what actually went wrong.
            throw new IssuerKeysException($"Could not read the signing keys from {Description}: {ex.GetBaseException().Message}", ex);
        }
    }
}

/// <summary>The issuer's keys could not be read or used.</summary>
public sealed class IssuerKeysException(string message, Exception? inner = null) : Exception(message, inner);
