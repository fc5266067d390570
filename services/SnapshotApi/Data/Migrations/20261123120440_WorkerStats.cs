using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sts.SnapshotApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class WorkerStats : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "worker_stats",
                columns: table => new
                {
                    worker_id = table.Column<string>(type: "text", nullable: false),
                    reported_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    memory_entries = table.Column<long>(type: "bigint", nullable: false),
                    memory_bytes = table.Column<long>(type: "bigint", nullable: false),
                    disk_entries = table.Column<long>(type: "bigint", nullable: false),
                    disk_bytes = table.Column<long>(type: "bigint", nullable: false),
                    memory_hits = table.Column<long>(type: "bigint", nullable: false),
                    disk_hits = table.Column<long>(type: "bigint", nullable: false),
                    misses = table.Column<long>(type: "bigint", nullable: false),
                    renders = table.Column<long>(type: "bigint", nullable: false),
                    cached_renders = table.Column<long>(type: "bigint", nullable: false),
                    failures = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_worker_stats", x => x.worker_id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "worker_stats");
        }
    }
}
