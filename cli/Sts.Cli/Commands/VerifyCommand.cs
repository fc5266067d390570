using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Sts.Api.V1;
using Sts.Cli.Display;
using Sts.Shared.Pdf;
using static Sts.Cli.Display.ValueText;

namespace Sts.Cli.Commands;

/// <summary>
/// sts verify FILE: hashes the file here and asks the service which snapshot it is (only the SHA-256 is sent); for a PDF
/// also reads the claim the file makes of itself and checks its own signature over its bytes, so a changed file is
/// caught even by someone the service would tell nothing. Exit 0 only when the service knows the file and, for a signed
/// PDF, the signature holds; 3 when no snapshot of a room the caller may view has this file; 1 for a broken signature.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The snapshot file (PDF, JSON or CSV) to verify." };
        var trust = new Option<string?>("--trust")
        {
            Description = "PEM certificate of the authority that issues the service's signing certificate, to check a PDF signer's "
                + "certificate against. Default: $STS_SIGNING_AUTHORITY (set by scripts/infra.sh env), else not checked.",
            HelpName = "pem",
        };
        var command = new Command("verify", "Say which snapshot a file is, whether it is unchanged, and what the audit log records of it.") { file, trust };
        var api = new ApiOptions(command, DevIdentity.Admin);
        command.SetAction((parseResult, ct) => api.RunAsync(parseResult, async connection =>
        {
            var path = parseResult.GetRequiredValue(file);
            if (!File.Exists(path)) throw new CliException($"{path} does not exist.", ExitCodes.InvalidArguments);
            var bytes = await File.ReadAllBytesAsync(path, ct);
            var sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
            Details.Write(("file", Path.GetFullPath(path)), ("size", ExactBytes(bytes.Length)), ("sha256", sha256));

            var signatureHolds = true;
            PdfClaim? claim = null;
            if (bytes.AsSpan().StartsWith("%PDF-"u8))
            {
                claim = SnapshotPdf.ReadClaim(bytes);
                var signature = SnapshotPdf.CheckSignature(bytes);
                signatureHolds = !signature.Present || signature.Valid;
                WritePdf(claim, signature, parseResult.GetValue(trust) ?? Env.Get("STS_SIGNING_AUTHORITY"));
            }

            VerifyFileResponse answer;
            try
            {
                answer = await connection.Snapshots.VerifyFileAsync(new VerifyFileRequest { Sha256 = sha256 }, connection.Unary(ct));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                Console.WriteLine();
                Console.WriteLine(claim is null
                    ? "NOT A KNOWN SNAPSHOT FILE: no snapshot of a room you may view has a file with this SHA-256."
                    : $"DOES NOT MATCH: this file is not the file snapshot {claim.SnapshotId} produced, or that snapshot is not one you may view; "
                      + "a file changed in any byte has another SHA-256.");
                return ExitCodes.NotFound;
            }

            var chainHolds = true;
            foreach (var match in answer.Files)
            {
                Console.WriteLine();
                WriteMatch(match, claim);
                chainHolds &= match.AuditChainVerified;
            }
            return signatureHolds && chainHolds ? ExitCodes.Ok : ExitCodes.Failure;
        }));
        return command;
    }

    private static void WritePdf(PdfClaim? claim, PdfSignatureCheck signature, string? trustPath)
    {
        var rows = new List<(string, string)>
        {
            ("claim", claim is null
                ? "none (not a snapshot PDF of this service)"
                : $"snapshot {claim.SnapshotId}, room {claim.RoomId} version {claim.RoomVersion}, content hash {claim.ContentHash}"),
            ("signature", !signature.Present ? "none: the file is not signed"
                : $"{(signature.Valid ? "VALID" : "INVALID")}: {signature.Detail}"),
        };
        if (signature.Present)
        {
            rows.Add(("format", signature.SubFilter == "ETSI.CAdES.detached" ? "PAdES (ETSI.CAdES.detached)" : signature.SubFilter));
            rows.Add(("signed by", $"{signature.Signer} at {signature.SigningTime}"));
            rows.Add(("certificate", $"SHA-256 {signature.CertificateSha256}"));
            rows.Add(("trusted", Trust(signature.Certificate, trustPath)));
        }
        Details.Write([.. rows]);
    }

    /// <summary>Whether the signer's certificate chains to the authority given, checked here with no other trust anchor.</summary>
    private static string Trust(byte[]? signer, string? trustPath)
    {
        if (trustPath is null) return "not checked (give --trust AUTHORITY.pem)";
        if (signer is null) return "no: the signature carries no certificate";
        using var certificate = X509CertificateLoader.LoadCertificate(signer);
        using var authority = Authority(trustPath);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate)
            ? $"yes: issued by {authority.Subject} ({trustPath})"
            : $"NO: {string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()))} (against {trustPath})";
    }

    /// <summary>The certificate alone: CreateFromPemFile would look for a private key in the file as well.</summary>
    private static X509Certificate2 Authority(string path)
    {
        if (!File.Exists(path)) throw new CliException($"--trust {path} does not exist.", ExitCodes.InvalidArguments);
        try
        {
            return X509Certificate2.CreateFromPem(File.ReadAllText(path));
        }
        catch (CryptographicException ex)
        {
            throw new CliException($"--trust {path} is not a PEM certificate ({ex.Message}).", ExitCodes.InvalidArguments);
        }
    }

    private static void WriteMatch(VerifiedFile match, PdfClaim? claim)
    {
        var chain = match.AuditChainVerified
            ? $"verified from its first record up to record {Number(match.AuditEvents.Max(e => e.Sequence))}"
            : $"NOT VERIFIED: {match.AuditChainDetail}";
        Details.Write(
            ("snapshot", match.SnapshotExists ? match.SnapshotId : $"{match.SnapshotId} (DELETED; what follows is from the audit log)"),
            ("room", $"{match.RoomId} (version {match.RoomVersion})"),
            ("title", match.Title),
            ("type", Word(match.Type)),
            ("created by", match.CreatedBy),
            ("created", Time(match.CreateTime)),
            ("completed", Time(match.CompleteTime)),
            ("content hash", match.ContentHash),
            ("file stored", match.FileStored ? "yes" : "no: the service no longer keeps this file"),
            ("matches claim", claim is null ? "" : claim.SnapshotId == match.SnapshotId ? "yes" : $"NO: the file claims snapshot {claim.SnapshotId}"),
            ("audit chain", chain));
        ListTable.Write(
            ["SEQ", "TIME", "ACTION", "ACTOR", "OUTCOME", "HASH"],
            match.AuditEvents.Select(e => new[] { Number(e.Sequence), Time(e.Time), e.Action, e.Actor, e.Outcome, e.Hash.Length > 16 ? e.Hash[..16] + "…" : e.Hash }));
    }
}
