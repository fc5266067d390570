using Sts.Api.V1;
using Sts.SnapshotApi.Auth;

namespace Sts.SnapshotApi.Tests.Auth;

/// <summary>The permission table, checked against an expectation written out independently, for every role × action × membership.</summary>
public sealed class PermissionMatrixTests
{
    // Rows: the caller's role in the room ("none" = not a party). Columns: view list create delete metrics audit.
    private static readonly string[] Expected =
    [
        "owner     Y Y Y N N N",
        "broker    Y Y Y N N N",
        "charterer Y Y Y N N N",
        "seller    Y Y N N N N",
        "buyer     Y Y N N N N",
        "admin     Y Y Y Y Y Y",
        "none      - - - - - -",
    ];

    private static readonly RoomAction[] Columns =
        [RoomAction.View, RoomAction.List, RoomAction.Create, RoomAction.Delete, RoomAction.Metrics, RoomAction.Audit];

    public static TheoryData<string, RoomAction, bool, AccessDecision> Cases()
    {
        var data = new TheoryData<string, RoomAction, bool, AccessDecision>();
        foreach (var row in Expected)
        {
            var cells = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var c = 0; c < Columns.Length; c++)
            {
                var expected = cells[c + 1] switch
                {
                    "Y" => AccessDecision.Allow,
                    "N" => AccessDecision.PermissionDenied,
                    _ => AccessDecision.NotFound,
                };
                data.Add(cells[0], Columns[c], false, expected);
                // A platform admin may act on every room, whatever its membership.
                data.Add(cells[0], Columns[c], true, AccessDecision.Allow);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decision_follows_the_matrix(string membership, RoomAction action, bool platformAdmin, AccessDecision expected)
    {
        var caller = new Caller("someone@example.com", platformAdmin, new HashSet<string>());
        PartyRole? role = membership == "none" ? null : Enum.Parse<PartyRole>(membership, ignoreCase: true);

        Assert.Equal(expected, Permissions.Decide(caller, role, action));
    }

    [Fact]
    public void Every_action_and_role_is_covered()
    {
        Assert.Equal(Enum.GetValues<RoomAction>().Length, Columns.Length);
        Assert.Equal(Enum.GetValues<PartyRole>().Length - 1, Expected.Length - 1); // all roles but UNSPECIFIED, plus "none"
        Assert.Equal(84, Cases().Count);
    }
}
