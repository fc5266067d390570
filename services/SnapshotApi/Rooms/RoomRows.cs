using Sts.Api.V1;

namespace Sts.SnapshotApi.Rooms;

/// <summary>A room as this service last received it.</summary>
public sealed class RoomRow
{
    public required string Id { get; set; }
    public required string Title { get; set; }
    public string Location { get; set; } = "";
    public DateTimeOffset? StsEta { get; set; }
    public long Version { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    /// <summary>The room's size encoded as protobuf, kept against <see cref="RoomValidator.MaxRoomBytes"/>; null for rooms stored before it was kept.</summary>
    public long? ContentBytes { get; set; }
}

public sealed class VesselRow
{
    public required string RoomId { get; set; }
    public int Ordinal { get; set; }
    public required string Name { get; set; }
    public required string Imo { get; set; }
    public VesselRole Role { get; set; }
}

/// <summary>Membership: who may see the room, and in which role.</summary>
public sealed class PartyRow
{
    public required string RoomId { get; set; }
    public required string Email { get; set; }
    public int Ordinal { get; set; }
    public PartyRole Role { get; set; }
    public string Company { get; set; } = "";
    public string Name { get; set; } = "";
}

public sealed class DocumentRow
{
    public required string RoomId { get; set; }
    public required string Id { get; set; }
    public int Ordinal { get; set; }
    public required string Type { get; set; }
    public string Vessel { get; set; } = "";
    public DocumentStatus Status { get; set; }
    public string ExpiresOn { get; set; } = "";
    public string UploadedBy { get; set; } = "";
    public string Notes { get; set; } = "";
}

public sealed class ApprovalRow
{
    public required string RoomId { get; set; }
    public int Ordinal { get; set; }
    public PartyRole PartyRole { get; set; }
    public ApprovalStatus Status { get; set; }
    public string DecidedBy { get; set; } = "";
    public DateTimeOffset? DecidedAt { get; set; }
}

public sealed class ActivityRow
{
    public required string RoomId { get; set; }
    /// <summary>Position in the room's log, from 0; appends continue the sequence.</summary>
    public long Seq { get; set; }
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public required string Action { get; set; }
    public string Detail { get; set; } = "";
}
