using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sts.Shared.Hosting;

/// <summary>Runs a service; a start-up check that fails ends it with one clear line and exit code 1, not an unhandled-exception dump.</summary>
public static partial class ServiceRunner
{
    public const int ConfigurationError = 1;

    public static async Task<int> RunServiceAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ex is StartupCheckException or OptionsValidationException)
        {
            NotStarted(app.Logger, ex.Message);
            return ConfigurationError;
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Not started: {Reason}")]
    private static partial void NotStarted(ILogger logger, string reason);
}
