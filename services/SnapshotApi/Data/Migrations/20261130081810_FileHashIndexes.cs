using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Sts.SnapshotApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class FileHashIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // VerifyFile finds a file by its SHA-256: among the snapshots that exist, and in the completion records the
            // audit log keeps of every snapshot, deleted ones too. Raw SQL: the model cannot express either partial index.
            migrationBuilder.Sql("""
                CREATE INDEX ix_snapshots_sha256 ON snapshots (sha256) WHERE sha256 IS NOT NULL;
                CREATE INDEX ix_audit_log_completed_sha256 ON audit_log ((metadata ->> 'sha256')) WHERE action = 'SnapshotCompleted';
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP INDEX IF EXISTS ix_audit_log_completed_sha256;
                DROP INDEX IF EXISTS ix_snapshots_sha256;
                """);
        }
    }
}
