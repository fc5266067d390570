using Sts.Shared.Hosting;

namespace Sts.SnapshotApi.Audit;

/// <summary>Registers the audit log: group-commit writer, sealer and anchor.</summary>
public static class AuditSetup
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddValidatedOptions<AuditOptions>(AuditOptions.Section);
        services.AddSingleton<AuditAnchor>();
        services.AddSingleton<AuditWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        services.AddHostedService<AuditSealer>();
        services.AddSingleton<AuditLog>();
        return services;
    }

    public static WebApplication MapAudit(this WebApplication app)
    {
        app.MapGrpcService<AuditGrpcService>();
        return app;
    }
}
