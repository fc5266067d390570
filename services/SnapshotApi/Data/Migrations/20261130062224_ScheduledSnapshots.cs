using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sts.SnapshotApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class ScheduledSnapshots : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "legal_hold_at",
                table: "snapshots",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "legal_hold_by",
                table: "snapshots",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "legal_hold_reason",
                table: "snapshots",
                type: "text",
                nullable: true);

            // Legal hold in the database itself: no DELETE of a held snapshot succeeds, whichever code issues it.
            migrationBuilder.Sql("""
                CREATE FUNCTION snapshots_keep_held() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF OLD.legal_hold_at IS NOT NULL THEN
                        RAISE EXCEPTION 'snapshot % is under legal hold', OLD.id USING ERRCODE = 'integrity_constraint_violation';
                    END IF;
                    RETURN OLD;
                END $$;
                CREATE TRIGGER snapshots_keep_held BEFORE DELETE ON snapshots FOR EACH ROW EXECUTE FUNCTION snapshots_keep_held();
                """);

            migrationBuilder.CreateTable(
                name: "room_retention",
                columns: table => new
                {
                    room_id = table.Column<string>(type: "text", nullable: false),
                    manual_max_age = table.Column<TimeSpan>(type: "interval", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_by = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_room_retention", x => x.room_id);
                    table.ForeignKey(
                        name: "FK_room_retention_rooms_room_id",
                        column: x => x.room_id,
                        principalTable: "rooms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "schedule_slots",
                columns: table => new
                {
                    schedule_id = table.Column<Guid>(type: "uuid", nullable: false),
                    due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    snapshot_id = table.Column<Guid>(type: "uuid", nullable: true),
                    fired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    skipped_slots = table.Column<int>(type: "integer", nullable: false),
                    fired_by = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_schedule_slots", x => new { x.schedule_id, x.due_at });
                    table.ForeignKey(
                        name: "FK_schedule_slots_snapshots_snapshot_id",
                        column: x => x.snapshot_id,
                        principalTable: "snapshots",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "schedules",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    room_id = table.Column<string>(type: "text", nullable: false),
                    interval = table.Column<TimeSpan>(type: "interval", nullable: true),
                    start_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cron = table.Column<string>(type: "text", nullable: true),
                    time_zone = table.Column<string>(type: "text", nullable: false),
                    snapshot_type = table.Column<string>(type: "text", nullable: false),
                    options = table.Column<string>(type: "jsonb", nullable: false),
                    title_template = table.Column<string>(type: "text", nullable: false),
                    keep_last = table.Column<int>(type: "integer", nullable: true),
                    max_age = table.Column<TimeSpan>(type: "interval", nullable: true),
                    paused = table.Column<bool>(type: "boolean", nullable: false),
                    principal = table.Column<string>(type: "text", nullable: false),
                    created_by = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    version = table.Column<int>(type: "integer", nullable: false),
                    next_due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    active_since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    period = table.Column<TimeSpan>(type: "interval", nullable: false),
                    lease_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    lease_owner = table.Column<string>(type: "text", nullable: true),
                    runs = table.Column<long>(type: "bigint", nullable: false),
                    skipped_slots = table.Column<long>(type: "bigint", nullable: false),
                    last_due_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_snapshot_id = table.Column<Guid>(type: "uuid", nullable: true),
                    retention_snapshot_id = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_schedules", x => x.id);
                    table.ForeignKey(
                        name: "FK_schedules_rooms_room_id",
                        column: x => x.room_id,
                        principalTable: "rooms",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_schedules_snapshots_last_snapshot_id",
                        column: x => x.last_snapshot_id,
                        principalTable: "snapshots",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "FK_schedules_snapshots_retention_snapshot_id",
                        column: x => x.retention_snapshot_id,
                        principalTable: "snapshots",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateIndex(
                name: "IX_schedule_slots_fired_at",
                table: "schedule_slots",
                column: "fired_at");

            migrationBuilder.CreateIndex(
                name: "IX_schedule_slots_snapshot_id",
                table: "schedule_slots",
                column: "snapshot_id");

            migrationBuilder.CreateIndex(
                name: "IX_schedules_last_snapshot_id",
                table: "schedules",
                column: "last_snapshot_id");

            migrationBuilder.CreateIndex(
                name: "IX_schedules_next_due_at",
                table: "schedules",
                column: "next_due_at",
                filter: "NOT paused");

            migrationBuilder.CreateIndex(
                name: "IX_schedules_retention_snapshot_id",
                table: "schedules",
                column: "retention_snapshot_id");

            migrationBuilder.CreateIndex(
                name: "IX_schedules_room_id_created_at_id",
                table: "schedules",
                columns: new[] { "room_id", "created_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "room_retention");

            migrationBuilder.DropTable(
                name: "schedule_slots");

            migrationBuilder.DropTable(
                name: "schedules");

            migrationBuilder.Sql("DROP TRIGGER snapshots_keep_held ON snapshots; DROP FUNCTION snapshots_keep_held();");

            migrationBuilder.DropColumn(
                name: "legal_hold_at",
                table: "snapshots");

            migrationBuilder.DropColumn(
                name: "legal_hold_by",
                table: "snapshots");

            migrationBuilder.DropColumn(
                name: "legal_hold_reason",
                table: "snapshots");
        }
    }
}
