using System.Buffers;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Sts.Api.V1;

namespace Sts.Shared.Rooms;

/// <summary>The repeated fields of a <see cref="Room"/>, with their field numbers: the order canonical JSON writes them in.</summary>
public enum RoomSection
{
    Vessels = 5,
    Parties = 6,
    Documents = 7,
    Approvals = 8,
    Activities = 9,
}

/// <summary>
/// Writes a room's canonical JSON (<see cref="RoomState.ToCanonicalJson"/>, byte for byte) one element at a time, so
/// that a room of any size is frozen without ever being held in memory whole. Each element is formatted by
/// protobuf's own formatter; this class only adds what it writes between them, which is the same punctuation that
/// protobuf writes for a whole Room (fields in number order, default values left out).
/// </summary>
public sealed class CanonicalRoomWriter(Stream output)
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default);
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly StringBuilder _text = new();
    private RoomSection? _open;
    private int _lastField;
    private bool _anyField;
    private bool _ended;

    /// <summary>Starts the room with its scalar fields (id, title, location, sts_eta); anything else in <paramref name="header"/> is ignored.</summary>
    public Task WriteHeaderAsync(Room header, CancellationToken cancellationToken)
    {
        if (_lastField != 0) throw new InvalidOperationException("The header is written once, first.");
        var scalars = new Room { Id = header.Id, Title = header.Title, Location = header.Location, StsEta = header.StsEta };
        Format(scalars);
        // "{ ... }" -> "{ ..." (or "{ }" -> "{") so that the following fields continue the object.
        _anyField = _text.Length > 3;
        _text.Length -= 2;
        _lastField = 4;
        return FlushAsync(cancellationToken);
    }

    /// <summary>Writes one element of a repeated field. Sections come in field order; elements within one in their stored order.</summary>
    public Task WriteAsync(RoomSection section, IMessage element, CancellationToken cancellationToken)
    {
        if (_lastField == 0 || _ended) throw new InvalidOperationException("Write the header first, and nothing after the end.");
        if (_open == section)
        {
            _text.Append(", ");
        }
        else
        {
            if ((int)section <= _lastField) throw new InvalidOperationException($"Section {section} comes after field {_lastField}.");
            CloseSection();
            _text.Append(_anyField ? ", \"" : " \"").Append(JsonName(section)).Append("\": [ ");
            _open = section;
            _lastField = (int)section;
            _anyField = true;
        }
        Format(element);
        return FlushAsync(cancellationToken);
    }

    /// <summary>Closes the room with its version (int64, so a quoted number; 0 is left out, as protobuf does).</summary>
    public Task EndAsync(long version, CancellationToken cancellationToken)
    {
        if (_lastField == 0 || _ended) throw new InvalidOperationException("Write the header first, and end once.");
        CloseSection();
        if (version != 0)
        {
            _text.Append(_anyField ? ", \"version\": \"" : " \"version\": \"").Append(version.ToString(CultureInfo.InvariantCulture)).Append('"');
            _anyField = true;
        }
        _text.Append(" }");
        _ended = true;
        return FlushAsync(cancellationToken);
    }

    private void CloseSection()
    {
        if (_open is null) return;
        _text.Append(" ]");
        _open = null;
    }

    private void Format(IMessage message)
    {
        using var writer = new StringWriter(_text, CultureInfo.InvariantCulture);
        Formatter.Format(message, writer);
    }

    private static string JsonName(RoomSection section) => section switch
    {
        RoomSection.Vessels => "vessels",
        RoomSection.Parties => "parties",
        RoomSection.Documents => "documents",
        RoomSection.Approvals => "approvals",
        _ => "activities",
    };

    // Elements are small (a few KB even at the field limits), so a string each is cheap garbage; encoding into a
    // pooled buffer keeps every allocation well below the large-object heap.
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_text.Length == 0) return;
        var chars = _text.ToString();
        _text.Clear();
        var buffer = ArrayPool<byte>.Shared.Rent(Utf8.GetMaxByteCount(chars.Length));
        try
        {
            var count = Utf8.GetBytes(chars, buffer);
            await output.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
