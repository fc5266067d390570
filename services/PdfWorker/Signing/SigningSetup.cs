using Microsoft.Extensions.Options;
using Sts.Shared.Hosting;

namespace Sts.PdfWorker.Signing;

/// <summary>Registers PDF signing: the options, checked at start-up by loading the certificate, and the signer when signing is on.</summary>
public static class SigningSetup
{
    public static IServiceCollection AddSigning(this IServiceCollection services, IConfiguration config)
    {
        services.AddValidatedOptions<SigningOptions>(SigningOptions.Section);
        services.AddSingleton<IValidateOptions<SigningOptions>, SigningOptionsValidation>();
        // Without a registered signer the PDF renderer leaves files unsigned and says so on the cover.
        if (config.ReadOptions<SigningOptions>(SigningOptions.Section).Enabled)
        {
            services.AddSingleton(sp => new SnapshotSigner(SigningCertificate.Load(
                sp.GetRequiredService<IOptions<SigningOptions>>().Value, sp.GetRequiredService<TimeProvider>().GetUtcNow())));
        }
        return services;
    }

    /// <summary>Loads the certificate, so that a worker that could not sign stops at start-up with the reason.</summary>
    private sealed class SigningOptionsValidation(TimeProvider clock) : IValidateOptions<SigningOptions>
    {
        public ValidateOptionsResult Validate(string? name, SigningOptions options)
        {
            if (!options.Enabled) return ValidateOptionsResult.Success;
            try
            {
                using var certificate = SigningCertificate.Load(options, clock.GetUtcNow());
                return ValidateOptionsResult.Success;
            }
            catch (InvalidOperationException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}
