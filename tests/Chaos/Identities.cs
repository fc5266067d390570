using Grpc.Core;
using Sts.Shared.Auth;

namespace Sts.Chaos;

/// <summary>Bearer tokens minted with the run's own signing key.</summary>
public sealed class Identities(string signingKey)
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(2);
    private readonly TokenSettings _settings = new() { SigningKey = signingKey };

    /// <summary>The platform's service principal, which may write rooms.</summary>
    public Metadata Platform => Bearer("platform@chaos.test", null, [StsClaims.RoomsWriteScope]);

    /// <summary>A party who may create snapshots in every chaos room.</summary>
    public Metadata Creator => Bearer(ChaosRooms.Creator, null, []);

    /// <summary>A platform admin, for VerifyAuditChain.</summary>
    public Metadata Admin => Bearer("admin@chaos.test", StsClaims.AdminRole, []);

    private Metadata Bearer(string email, string? role, string[] scopes) =>
        new() { { "authorization", $"Bearer {TokenMinter.Mint(_settings, email, role, scopes, Lifetime)}" } };
}
