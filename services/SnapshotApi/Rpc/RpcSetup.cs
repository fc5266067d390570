using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;
using Sts.Shared.Hosting;

namespace Sts.SnapshotApi.Rpc;

/// <summary>Registers the gRPC server and what every call passes through: message limits, the pipeline interceptor (authentication outcome, rate limits, audit, fault mapping) and reflection.</summary>
public static class RpcSetup
{
    public static IServiceCollection AddRpc(this IServiceCollection services)
    {
        services.AddValidatedOptions<GrpcOptions>(GrpcOptions.Section);
        services.AddValidatedOptions<RateLimitOptions>(RateLimitOptions.Section);
        services.AddSingleton<CallerRateLimiter>();
        services.AddScoped<RpcCall>();
        services.AddGrpc(o => o.Interceptors.Add<RpcPipeline>());
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<GrpcOptions>>((o, grpc) =>
        {
            o.MaxReceiveMessageSize = grpc.Value.MaxMessageBytes;
            o.MaxSendMessageSize = grpc.Value.MaxMessageBytes;
        });
        services.AddGrpcReflection();
        return services;
    }

    /// <summary>Before the services: a request whose body cannot be a message of its method is answered here.</summary>
    public static WebApplication UseRpc(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseMiddleware<RequestMessageCheck>();
        return app;
    }

    public static WebApplication MapRpcReflection(this WebApplication app)
    {
        app.MapGrpcReflectionService();
        return app;
    }
}
