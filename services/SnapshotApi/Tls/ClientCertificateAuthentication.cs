using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Sts.Shared.Auth;

namespace Sts.SnapshotApi.Tls;

/// <summary>
/// Authenticates a call that carries no bearer token by its connection's client certificate, when Tls:ClientPrincipals
/// names the certificate's subject. The handshake has already checked the certificate against Tls:ClientCaFile.
/// </summary>
public sealed class ClientCertificateAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions, ILoggerFactory loggers, UrlEncoder encoder, IOptions<TlsOptions> tls)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "ClientCertificate";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var subject = Normalize(Context.Connection.ClientCertificate?.SubjectName);
        var principal = subject is null ? null : tls.Value.ClientPrincipals.FirstOrDefault(p => Normalize(p.Subject) == subject);
        if (principal is null) return Task.FromResult(AuthenticateResult.NoResult());

        var claims = new List<Claim> { new(StsClaims.Email, principal.Identity) };
        if (principal.Admin) claims.Add(new Claim(StsClaims.Role, StsClaims.AdminRole));
        if (principal.RoomsWrite) claims.Add(new Claim(StsClaims.Scope, StsClaims.RoomsWriteScope));
        var identity = new ClaimsIdentity(claims, SchemeName, StsClaims.Email, StsClaims.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    /// <summary>A subject in one spelling, whatever the spaces after commas; null when it does not parse.</summary>
    public static string? Normalize(string subject)
    {
        try
        {
            return string.IsNullOrWhiteSpace(subject) ? null : Normalize(new X500DistinguishedName(subject));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private static string? Normalize(X500DistinguishedName? name) => name?.Format(multiLine: false);
}
