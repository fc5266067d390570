using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>A signing key pair of the test issuer: RSA for RS256 and PS256, P-256 for ES256. Made fresh for each run, never stored.</summary>
public sealed class TestKey
{
    private TestKey(string algorithm, AsymmetricAlgorithm key)
    {
        Algorithm = algorithm;
        Key = key;
        KeyId = $"{algorithm.ToLowerInvariant()}-{Guid.NewGuid():N}"[..14];
    }

    public string KeyId { get; }

    public string Algorithm { get; }

    public AsymmetricAlgorithm Key { get; }

    public static TestKey Create(string algorithm) => algorithm switch
    {
        "RS256" or "PS256" => new TestKey(algorithm, RSA.Create(2048)),
        "ES256" => new TestKey(algorithm, ECDsa.Create(ECCurve.NamedCurves.nistP256)),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "The test issuer signs with RS256, PS256 or ES256."),
    };

    /// <summary>A JWS signature over <paramref name="data"/> with <see cref="Algorithm"/> (ECDSA as r||s, as JWS wants it).</summary>
    public byte[] Sign(byte[] data) => Key switch
    {
        RSA rsa => rsa.SignData(data, HashAlgorithmName.SHA256, Algorithm == "PS256" ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1),
        ECDsa ec => ec.SignData(data, HashAlgorithmName.SHA256),
        _ => throw new InvalidOperationException("Unknown key type."),
    };

    /// <summary>The public key in PEM, as an attacker would find it, to use as an HMAC secret.</summary>
    public string PublicKeyPem => Key.ExportSubjectPublicKeyInfoPem();

    /// <summary>The public JWK as an issuer publishes it, with kid, alg and use.</summary>
    public JsonObject Jwk()
    {
        var jwk = new JsonObject { ["kid"] = KeyId, ["alg"] = Algorithm, ["use"] = "sig" };
        switch (Key)
        {
            case RSA rsa:
                var p = rsa.ExportParameters(includePrivateParameters: false);
                jwk["kty"] = "RSA";
                jwk["n"] = Base64Url.EncodeToString(p.Modulus);
                jwk["e"] = Base64Url.EncodeToString(p.Exponent);
                break;
            case ECDsa ec:
                var q = ec.ExportParameters(includePrivateParameters: false).Q;
                jwk["kty"] = "EC";
                jwk["crv"] = "P-256";
                jwk["x"] = Base64Url.EncodeToString(q.X);
                jwk["y"] = Base64Url.EncodeToString(q.Y);
                break;
        }
        return jwk;
    }
}
