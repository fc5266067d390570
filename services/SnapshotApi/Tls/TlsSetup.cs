using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using Sts.Shared.Hosting;

namespace Sts.SnapshotApi.Tls;

/// <summary>
/// TLS, and optionally mutual TLS, on the gRPC endpoint. The metrics endpoint (Kestrel:Endpoints:Http, with /metrics,
/// /healthz and /readyz) stays plaintext on purpose: probes and Prometheus reach it without credentials, and it serves
/// nothing confidential.
/// </summary>
public static class TlsSetup
{
    /// <summary>The Kestrel endpoint that serves gRPC (appsettings.json: Kestrel:Endpoints:Grpc).</summary>
    public const string GrpcEndpoint = "Grpc";

    private const string BearerOrCertificate = "BearerOrClientCertificate";

    public static IServiceCollection AddGrpcTls(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TlsOptions>(TlsOptions.Section);
        services.AddSingleton<IValidateOptions<TlsOptions>, TlsOptionsValidation>();
        var tls = configuration.ReadOptions<TlsOptions>(TlsOptions.Section);
        if (!tls.Enabled) return services;

        services.AddSingleton<TlsCredentials>();
        services.AddHostedService<TlsCredentialsReload>();
        // Kestrel's options are built with the application, before start-up validation; the credentials are read only
        // once the host starts (TlsCredentialsReload needs them), after the settings have been checked.
        services.AddOptions<KestrelServerOptions>().Configure<IServiceProvider>((kestrel, provider) =>
        {
            var loader = kestrel.ConfigurationLoader
                ?? throw new InvalidOperationException("Kestrel's endpoints are not read from configuration, so the gRPC endpoint cannot get its TLS settings.");
            loader.Endpoint(GrpcEndpoint, endpoint =>
            {
                if (endpoint.IsHttps)
                    endpoint.ListenOptions.UseHttps(new TlsHandshakeCallbackOptions
                    {
                        OnConnection = _ => ValueTask.FromResult(provider.GetRequiredService<TlsCredentials>().ServerOptions()),
                    });
            });
        });

        if (tls.ClientPrincipals.Count > 0)
        {
            // A bearer token, when sent, decides who calls; without one, a mapped client certificate may.
            services.AddAuthentication()
                .AddScheme<AuthenticationSchemeOptions, ClientCertificateAuthentication>(ClientCertificateAuthentication.SchemeName, null)
                .AddPolicyScheme(BearerOrCertificate, "Bearer token, else client certificate", o => o.ForwardDefaultSelector = context =>
                    context.Request.Headers.Authorization.Count > 0 ? JwtBearerDefaults.AuthenticationScheme : ClientCertificateAuthentication.SchemeName);
            services.Configure<AuthenticationOptions>(o => o.DefaultScheme = BearerOrCertificate);
        }
        return services;
    }
}
