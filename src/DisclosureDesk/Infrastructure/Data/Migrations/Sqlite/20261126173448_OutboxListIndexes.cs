using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OutboxListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_CaseId",
                table: "OutboxMessages");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_CaseId_CreatedAt_Id",
                table: "OutboxMessages",
                columns: new[] { "CaseId", "CreatedAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_CreatedAt_Id",
                table: "OutboxMessages",
                columns: new[] { "CreatedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_CaseId_CreatedAt_Id",
                table: "OutboxMessages");

            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_CreatedAt_Id",
                table: "OutboxMessages");

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_CaseId",
                table: "OutboxMessages",
                column: "CaseId");
        }
    }
}
