using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SendPacingLanes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SendPacingLanes",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    NextSlot = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Share = table.Column<double>(type: "REAL", nullable: false),
                    Failures = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SendPacingLanes", x => x.Name);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SendPacingLanes");
        }
    }
}
