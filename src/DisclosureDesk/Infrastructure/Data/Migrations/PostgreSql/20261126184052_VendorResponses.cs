using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class VendorResponses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "FirstResponseAt",
                table: "Cases",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "VendorResponses",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CaseId = table.Column<int>(type: "integer", nullable: false),
                    Channel = table.Column<int>(type: "integer", nullable: false),
                    Meaning = table.Column<int>(type: "integer", nullable: false),
                    RespondedBy = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RespondedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Summary = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    VerbatimText = table.Column<string>(type: "character varying(100000)", maxLength: 100000, nullable: true),
                    VerbatimSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Visibility = table.Column<int>(type: "integer", nullable: false),
                    LoggedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: false),
                    LoggedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    LoggedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    EventSequence = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_VendorResponses", x => x.Id);
                    table.ForeignKey(
                        name: "FK_VendorResponses_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_VendorResponses_CaseId_RespondedAt",
                table: "VendorResponses",
                columns: new[] { "CaseId", "RespondedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "VendorResponses");

            migrationBuilder.DropColumn(
                name: "FirstResponseAt",
                table: "Cases");
        }
    }
}
