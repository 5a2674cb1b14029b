using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NotificationDeadline : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "DisclosureDeadlineAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DisclosurePolicy",
                table: "Cases",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "FirstNotifiedAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "DisclosureDeadlineAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "DisclosurePolicy",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "FirstNotifiedAt",
                table: "Cases");
        }
    }
}
