using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sts.SnapshotApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class ClaimCheckedRoomState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "state_bytes",
                table: "snapshots",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "state_key",
                table: "snapshots",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "content_bytes",
                table: "rooms",
                type: "bigint",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "state_bytes",
                table: "snapshots");

            migrationBuilder.DropColumn(
                name: "state_key",
                table: "snapshots");

            migrationBuilder.DropColumn(
                name: "content_bytes",
                table: "rooms");
        }
    }
}
