using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Sts.SnapshotApi.Auth;

namespace Sts.SnapshotApi.Tls;

/// <summary>Fails start-up on TLS settings that contradict each other or the gRPC endpoint, and on files that cannot be used.</summary>
public sealed class TlsOptionsValidation(IConfiguration configuration) : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        var errors = new List<string>();
        var url = configuration[$"Kestrel:Endpoints:{TlsSetup.GrpcEndpoint}:Url"] ?? "";
        var https = url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (https && !options.Enabled)
            errors.Add($"Kestrel:Endpoints:{TlsSetup.GrpcEndpoint}:Url is '{url}', but Tls:CertificateFile and Tls:KeyFile are not set.");
        if (options.Enabled && !https)
            errors.Add($"Tls:CertificateFile is set, but Kestrel:Endpoints:{TlsSetup.GrpcEndpoint}:Url '{url}' is not https://: the gRPC port would stay plaintext.");
        if (options.Enabled && (string.IsNullOrWhiteSpace(options.CertificateFile) || string.IsNullOrWhiteSpace(options.KeyFile)))
            errors.Add("Tls:CertificateFile and Tls:KeyFile go together: set both.");
        if (options.MutualTls && !options.Enabled)
            errors.Add("Tls:ClientCaFile is set without a server certificate (Tls:CertificateFile, Tls:KeyFile): mutual TLS needs TLS.");
        if (options.ClientPrincipals.Count > 0 && !options.MutualTls)
            errors.Add("Tls:ClientPrincipals needs Tls:ClientCaFile: without mutual TLS there are no client certificates to map.");
        for (var i = 0; i < options.ClientPrincipals.Count; i++)
        {
            var principal = options.ClientPrincipals[i];
            if (ClientCertificateAuthentication.Normalize(principal.Subject) is null)
                errors.Add($"Tls:ClientPrincipals:{i}:Subject '{principal.Subject}' is not a distinguished name such as 'CN=sts-platform-sync, O=Platform'.");
            if (!Caller.IsPlausibleIdentity(principal.Identity))
                errors.Add($"Tls:ClientPrincipals:{i}:Identity '{principal.Identity}' is not an email address.");
        }
        if (errors.Count == 0 && options.Enabled)
        {
            try
            {
                TlsCredentialSet.Load(options);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(ex.Message);
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
