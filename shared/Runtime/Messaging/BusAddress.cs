using Microsoft.Extensions.Configuration;

namespace Sts.Shared.Messaging;

/// <summary>The RabbitMQ broker both services connect to, read from ConnectionStrings:RabbitMq (amqp://user:pass@host:port/vhost).</summary>
public sealed record BusAddress(Uri Host, string Username, string Password)
{
    public static BusAddress From(IConfiguration configuration)
    {
        var value = configuration.GetConnectionString("RabbitMq");
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException("ConnectionStrings:RabbitMq is not set, e.g. amqp://user:pass@127.0.0.1:5672/ (for local runs: eval \"$(scripts/infra.sh env)\").");
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            throw new InvalidOperationException("ConnectionStrings:RabbitMq must be an amqp:// or amqps:// URI.");
        var credentials = uri.UserInfo.Split(':', 2);
        var username = Uri.UnescapeDataString(credentials[0]);
        var password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : "";
        var host = new UriBuilder(uri) { UserName = "", Password = "" }.Uri;
        return new BusAddress(host, username.Length > 0 ? username : "guest", username.Length > 0 ? password : "guest");
    }
}
