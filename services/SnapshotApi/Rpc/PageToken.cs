using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Sts.SnapshotApi.Rpc;

/// <summary>
/// An opaque AIP-158 page token: the position after the last item served, plus a fingerprint
/// of the filters, so a token cannot be replayed against a different query.
/// </summary>
public readonly record struct PageToken(long Position, Guid Id)
{
    private const byte Version = 1;
    private const int Length = 1 + 4 + 8 + 16;

    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    public string Encode(string filters)
    {
        Span<byte> bytes = stackalloc byte[Length];
        bytes[0] = Version;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[1..], Fingerprint(filters));
        BinaryPrimitives.WriteInt64LittleEndian(bytes[5..], Position);
        Id.TryWriteBytes(bytes[13..]);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Reads a token; null for an empty one (the first page). Adds a violation when it is malformed or for other filters.</summary>
    public static PageToken? Decode(string token, string filters, FieldValidator violations)
    {
        if (token.Length == 0) return null;
        var bytes = new byte[Length];
        var text = token.Replace('-', '+').Replace('_', '/');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        if (token.Length > 64 || !Convert.TryFromBase64String(text, bytes, out var written) || written != Length || bytes[0] != Version)
        {
            violations.Add("page_token", "is not a token this service issued");
            return null;
        }
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(1)) != Fingerprint(filters))
        {
            violations.Add("page_token", "was issued for different filters; send the same filters as the first page");
            return null;
        }
        var position = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(5));
        // Positions are sequences or UTC ticks; anything else was not made here.
        if (position < 0 || position > DateTimeOffset.MaxValue.UtcTicks)
        {
            violations.Add("page_token", "is not a token this service issued");
            return null;
        }
        return new PageToken(position, new Guid(bytes.AsSpan(13, 16)));
    }

    /// <summary>0 means the default; negative is an error; more than the maximum is reduced to it (AIP-158).</summary>
    public static int PageSize(int requested, FieldValidator violations)
    {
        if (requested < 0) violations.Add("page_size", "must not be negative");
        return requested <= 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }

    private static uint Fingerprint(string filters) => BinaryPrimitives.ReadUInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(filters)));
}
