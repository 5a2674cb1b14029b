using System;
using System.Collections.Generic;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.PostgreSql
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
                    Name = table.Column<string>(type: "text", nullable: false),
                    NextSlot = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Share = table.Column<double>(type: "double precision", nullable: false),
                    Failures = table.Column<List<DateTime>>(type: "timestamp with time zone[]", nullable: false)
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
