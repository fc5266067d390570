using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Sts.PdfWorker.Cache;

/// <summary>
/// The layout of one disk entry: magic "STRC", format version (UInt16, little-endian), SHA-256 of the content, content.
/// The checksum lets a read tell a whole entry from a truncated or damaged one.
/// </summary>
internal static class CacheFile
{
    public const int HeaderSize = 4 + sizeof(ushort) + SHA256.HashSizeInBytes;

    private const ushort FormatVersion = 1;

    private static ReadOnlySpan<byte> Magic => "STRC"u8;

    public static void Write(SafeFileHandle file, ReadOnlySpan<byte> content)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header[Magic.Length..], FormatVersion);
        SHA256.HashData(content, header[(Magic.Length + sizeof(ushort))..]);
        RandomAccess.Write(file, header, 0);
        RandomAccess.Write(file, content, HeaderSize);
    }

    /// <summary>Reads and verifies the entry: its content, or null and what is wrong with it.</summary>
    public static byte[]? Read(SafeFileHandle file, out string? problem)
    {
        var length = RandomAccess.GetLength(file);
        if (length < HeaderSize)
        {
            problem = $"truncated to {length} bytes, shorter than the {HeaderSize}-byte header";
            return null;
        }
        if (length - HeaderSize > Array.MaxLength)
        {
            problem = $"{length} bytes is more than one entry can hold";
            return null;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        var content = new byte[length - HeaderSize];
        if (!TryReadExactly(file, header, 0) || !TryReadExactly(file, content, HeaderSize))
        {
            problem = "truncated while being read";
            return null;
        }
        if (!header[..Magic.Length].SequenceEqual(Magic))
        {
            problem = "not a render cache file";
            return null;
        }
        var version = BinaryPrimitives.ReadUInt16LittleEndian(header[Magic.Length..]);
        if (version != FormatVersion)
        {
            problem = $"format version {version}, expected {FormatVersion}";
            return null;
        }
        Span<byte> actual = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(content, actual);
        if (!actual.SequenceEqual(header[(Magic.Length + sizeof(ushort))..]))
        {
            problem = "content does not match its SHA-256";
            return null;
        }
        problem = null;
        return content;
    }

    private static bool TryReadExactly(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var read = RandomAccess.Read(file, buffer, offset);
            if (read == 0) return false;
            buffer = buffer[read..];
            offset += read;
        }
        return true;
    }
}
