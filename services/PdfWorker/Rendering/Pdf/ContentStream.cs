using System.Buffers.Text;

namespace Sts.PdfWorker.Rendering.Pdf;

/// <summary>The bytes of a PDF content stream, written operator by operator.</summary>
internal sealed class ContentStream
{
    private static readonly byte[] HexDigits = "0123456789ABCDEF"u8.ToArray();
    private byte[] _buffer = new byte[16 * 1024];
    private int _length;

    public byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

    /// <summary>ASCII text: operators, names, punctuation.</summary>
    public ContentStream Raw(ReadOnlySpan<byte> text)
    {
        text.CopyTo(Reserve(text.Length));
        _length += text.Length;
        return this;
    }

    public ContentStream Raw(string ascii)
    {
        var span = Reserve(ascii.Length);
        for (var i = 0; i < ascii.Length; i++)
            span[i] = (byte)ascii[i];
        _length += ascii.Length;
        return this;
    }

    /// <summary>A number with at most three decimals (a thousandth of a point is far below what a page can show), then a space.</summary>
    public ContentStream Number(double value)
    {
        var thousandths = (long)Math.Round(value * 1000, MidpointRounding.AwayFromZero);
        var span = Reserve(32);
        var written = 0;
        if (thousandths < 0)
        {
            span[written++] = (byte)'-';
            thousandths = -thousandths;
        }
        if (!Utf8Formatter.TryFormat(thousandths / 1000, span[written..], out var digits))
            throw new InvalidOperationException($"Cannot format {value} for a content stream.");
        written += digits;
        // Trailing zeros say nothing; dropping them keeps streams small.
        var fraction = (int)(thousandths % 1000);
        if (fraction != 0)
        {
            span[written++] = (byte)'.';
            for (var unit = 100; fraction != 0; unit /= 10)
            {
                span[written++] = (byte)('0' + fraction / unit);
                fraction %= unit;
            }
        }
        span[written++] = (byte)' ';
        _length += written;
        return this;
    }

    public ContentStream Point(double x, double y) => Number(x).Number(y);

    public ContentStream Colour(Rgb colour) => Component(colour.R).Component(colour.G).Component(colour.B);

    /// <summary>
    /// A two-byte glyph code, as raw bytes inside a literal string: half the size of hex digits, and it
    /// compresses better. The bytes the string syntax gives a meaning to are escaped.
    /// </summary>
    public ContentStream Code(ushort code)
    {
        var span = Reserve(4);
        var written = Byte(span, (byte)(code >> 8));
        written += Byte(span[written..], (byte)code);
        _length += written;
        return this;
    }

    private static int Byte(Span<byte> span, byte value)
    {
        switch (value)
        {
            case (byte)'(' or (byte)')' or (byte)'\\':
                span[0] = (byte)'\\';
                span[1] = value;
                return 2;
            case (byte)'\r':
                span[0] = (byte)'\\';
                span[1] = (byte)'r';
                return 2;
            case (byte)'\n':
                span[0] = (byte)'\\';
                span[1] = (byte)'n';
                return 2;
            default:
                span[0] = value;
                return 1;
        }
    }

    /// <summary>Four hex digits (inside a hex string).</summary>
    private ContentStream Hex(ushort code)
    {
        var span = Reserve(4);
        span[0] = HexDigits[code >> 12];
        span[1] = HexDigits[(code >> 8) & 0xF];
        span[2] = HexDigits[(code >> 4) & 0xF];
        span[3] = HexDigits[code & 0xF];
        _length += 4;
        return this;
    }

    /// <summary>A UTF-16BE hex string with a byte-order mark, for text strings such as ActualText.</summary>
    public ContentStream TextString(string text)
    {
        Raw("<FEFF"u8);
        foreach (var c in text)
            Hex(c);
        return Raw(">"u8);
    }

    private ContentStream Component(byte value) => Number(value / 255.0);

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        return _buffer.AsSpan(_length);
    }
}
