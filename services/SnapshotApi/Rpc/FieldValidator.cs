using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Sts.Shared.Text;
using Grpc.Core;

namespace Sts.SnapshotApi.Rpc;

/// <summary>Validates one request field by field, collecting the violations, and throws INVALID_ARGUMENT with a google.rpc.BadRequest naming each.</summary>
public sealed partial class FieldValidator
{
    // Enough to point at every class of mistake without building a huge trailer for a huge bad payload.
    private const int MaxReported = 50;
    private readonly List<BadRequest.Types.FieldViolation> _list = [];

    /// <summary>True once no more violations will be reported; long loops may stop early.</summary>
    public bool Full => _list.Count >= MaxReported;

    public void Add(string field, string description)
    {
        if (_list.Count < MaxReported)
            _list.Add(new BadRequest.Types.FieldViolation { Field = field, Description = description });
    }

    /// <summary>A text field: length in characters, no NUL (PostgreSQL cannot store it), and no control characters unless multi-line.</summary>
    public void Text(string field, string value, int min, int max, bool multiLine = false)
    {
        if (value.Length < min)
            Add(field, min == 1 ? "is required" : $"must be at least {min} characters");
        else if (value.Length > max)
            Add(field, $"must be at most {max} characters (got {value.Length})");
        else if (value.Any(c => char.IsControl(c) && !(multiLine && c is '\n' or '\r' or '\t')))
            Add(field, multiLine ? "must not contain control characters other than tab and newline" : "must not contain control characters");
    }

    /// <summary>An identifier that may end up in a file path: [A-Za-z0-9_-], 1-64, starting with a letter or digit.</summary>
    public void Id(string field, string value)
    {
        if (value.Length == 0) Add(field, "is required");
        else if (!SafeId.IsValid(value)) Add(field, "must be " + SafeId.Description);
    }

    public void Uuid(string field, string value, bool required = true)
    {
        if (value.Length == 0)
        {
            if (required) Add(field, "is required");
        }
        else if (!TryUuid(value, out _)) Add(field, "must be a UUID such as 0192f7a4-8f5e-7c1a-9d3b-2a6f1e0c4b7d");
    }

    public void Email(string field, string value, bool required = true)
    {
        if (value.Length == 0)
        {
            if (required) Add(field, "is required");
        }
        else if (value.Length > Shared.Rooms.RoomLimits.Email || !EmailPattern().IsMatch(value)) Add(field, "must be an email address");
    }

    public void Enum<T>(string field, T value, bool required = true) where T : struct, System.Enum
    {
        if (!System.Enum.IsDefined(value)) Add(field, $"has unknown value {Convert.ToInt32(value, CultureInfo.InvariantCulture)}");
        else if (required && Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0) Add(field, "is required");
    }

    /// <summary>Returns whether the value passed (an absent optional one does).</summary>
    public bool Timestamp(string field, Timestamp? value, bool required)
    {
        if (value is null)
        {
            if (required) Add(field, "is required");
            return !required;
        }
        // Protobuf's own bounds: 0001-01-01 to 9999-12-31, nanos 0-999,999,999.
        if (value.Seconds is >= -62135596800 and <= 253402300799 && value.Nanos is >= 0 and <= 999_999_999) return true;
        Add(field, "is not a valid timestamp");
        return false;
    }

    public void Date(string field, string value)
    {
        if (value.Length > 0 && !DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            Add(field, "must be a date as YYYY-MM-DD");
    }

    public void Count(string field, int count, int max)
    {
        if (count > max) Add(field, $"must have at most {max} entries (got {count})");
    }

    public void ThrowIfAny()
    {
        if (_list.Count == 0) return;
        var first = _list[0];
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = _list.Count == 1
                ? $"Invalid {first.Field}: {first.Description}."
                : $"Invalid request: {first.Field} {first.Description}, and {_list.Count - 1} more.",
            Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new BadRequest { FieldViolations = { _list } }) },
        };
        throw status.ToRpcException();
    }

    public static bool TryUuid(string value, out Guid id) => Guid.TryParseExact(value, "D", out id);

    [GeneratedRegex(@"^[^@\s\p{C}]+@[^@\s\p{C}]+\z")]
    private static partial Regex EmailPattern();
}
