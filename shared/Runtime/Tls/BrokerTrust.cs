using System.Net.Security;
using Microsoft.Extensions.Configuration;

namespace Sts.Shared.Tls;

/// <summary>
/// How both services check RabbitMQ's certificate on an amqps:// connection: against RabbitMq:CaFile when it is set
/// (a broker certificate from a private CA), otherwise against the system store.
/// </summary>
public static class BrokerTrust
{
    public const string CaFileSetting = "RabbitMq:CaFile";

    /// <summary>The check for the broker's certificate; null means the system store.</summary>
    /// <exception cref="InvalidOperationException">The CA file is set for a plaintext broker, or cannot be read.</exception>
    public static RemoteCertificateValidationCallback? From(IConfiguration configuration, Uri broker)
    {
        var caFile = configuration[CaFileSetting];
        if (string.IsNullOrWhiteSpace(caFile)) return null;
        if (broker.Scheme != "amqps")
            throw new InvalidOperationException($"{CaFileSetting} is set, but ConnectionStrings:RabbitMq is {broker.Scheme}://, not amqps://: the broker connection would stay plaintext.");
        return CaBundle.ServerValidation(CaBundle.Load(caFile, CaFileSetting));
    }
}
