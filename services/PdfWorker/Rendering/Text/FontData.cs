using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;

namespace Sts.PdfWorker.Rendering.Text;

/// <summary>
/// The bytes of one bundled font file (Fonts/ beside the assembly), memory-mapped read-only for the life of
/// the process. The operating system pages in only what is read, so the 17 MB CJK font costs nothing to a
/// worker whose rooms never use it. HarfBuzz reads the same memory through <see cref="Pointer"/>.
/// </summary>
internal sealed unsafe class FontData
{
    private readonly byte* _start;
    // Never disposed: the mapping must outlive every render and every HarfBuzz face that points into it.
    private readonly MemoryMappedViewAccessor _view;

    private FontData(MemoryMappedViewAccessor view, string name)
    {
        _view = view;
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        _start = start + view.PointerOffset;
        Length = checked((int)view.Capacity);
        Name = name;
    }

    /// <summary>The file's name, for error messages.</summary>
    public string Name { get; }

    public int Length { get; }

    public IntPtr Pointer => (IntPtr)_start;

    public ReadOnlySpan<byte> Slice(int offset, int length)
    {
        if ((uint)offset > (uint)Length || (uint)length > (uint)(Length - offset))
            throw new InvalidDataException($"Font file {Name}: a table or glyph lies outside the file.");
        return new ReadOnlySpan<byte>(_start + offset, length);
    }

    public ushort UInt16(int offset) => BinaryPrimitives.ReadUInt16BigEndian(Slice(offset, 2));

    public short Int16(int offset) => BinaryPrimitives.ReadInt16BigEndian(Slice(offset, 2));

    public uint UInt32(int offset) => BinaryPrimitives.ReadUInt32BigEndian(Slice(offset, 4));

    /// <summary>Maps Fonts/<paramref name="fileName"/> from beside the assembly.</summary>
    public static FontData Open(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fonts", fileName);
        if (!File.Exists(path))
            throw new FileNotFoundException($"Bundled font {path} is missing; it is copied beside the assembly at build and publish.", path);
        using var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.Read);
        return new FontData(file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read), fileName);
    }
}
