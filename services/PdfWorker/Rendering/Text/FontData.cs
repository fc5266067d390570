using System.Buffers.Binary;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>
/// The bytes of one bundled font file, read in place from the assembly's embedded resources and kept for the
/// life of the process. HarfBuzz reads the same memory through a pointer, so it must never move.
/// </summary>
/// <remarks>
/// An embedded resource of an assembly loaded from disk is served as an <see cref="UnmanagedMemoryStream"/>
/// over the mapped file: no copy is made, and the operating system pages in only what is read (the CJK font
/// is 17 MB, and most rooms never touch it). Any other stream is copied once into pinned memory.
/// </remarks>
internal sealed unsafe class FontData
{
    private readonly byte* _start;
    // The pinned copy, when the resource was not mapped: it must stay referenced while _start points into it.
    private readonly byte[]? _copy;

    private FontData(byte* start, int length, string name, byte[]? copy = null)
    {
        _start = start;
        Length = length;
        Name = name;
        _copy = copy;
    }

    /// <summary>True when the bytes are read in place from the mapped assembly rather than copied.</summary>
    public bool IsMapped => _copy is null;

    /// <summary>The resource's file name, for error messages.</summary>
    public string Name { get; }

    public int Length { get; }

    public IntPtr Pointer => (IntPtr)_start;

    public ReadOnlySpan<byte> Span => new(_start, Length);

    public ReadOnlySpan<byte> Slice(int offset, int length)
    {
        if ((uint)offset > (uint)Length || (uint)length > (uint)(Length - offset))
            throw new InvalidDataException($"Font file {Name}: a table or glyph lies outside the file.");
        return new ReadOnlySpan<byte>(_start + offset, length);
    }

    public ushort UInt16(int offset) => BinaryPrimitives.ReadUInt16BigEndian(Slice(offset, 2));

    public short Int16(int offset) => BinaryPrimitives.ReadInt16BigEndian(Slice(offset, 2));

    public uint UInt32(int offset) => BinaryPrimitives.ReadUInt32BigEndian(Slice(offset, 4));

    /// <summary>The embedded resource "Sts.PdfWorker.Fonts.{fileName}".</summary>
    public static FontData Resource(string fileName)
    {
        var resource = $"Sts.PdfWorker.Fonts.{fileName}";
        var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Font resource '{resource}' is missing from the assembly.");
        if (stream is UnmanagedMemoryStream mapped)
            return new FontData(mapped.PositionPointer, checked((int)mapped.Length), fileName);

        using (stream)
        {
            var pinned = GC.AllocateUninitializedArray<byte>(checked((int)stream.Length), pinned: true);
            stream.ReadExactly(pinned);
            // A pinned array lives on the pinned object heap and never moves.
            return new FontData((byte*)Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), pinned.Length, fileName, pinned);
        }
    }
}
