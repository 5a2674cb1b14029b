using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class InboundMail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "BounceDetail",
                table: "CaseContacts",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "BouncedAt",
                table: "CaseContacts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Bouncing",
                table: "CaseContacts",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "InboundFolders",
                columns: table => new
                {
                    Name = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: false),
                    UidValidity = table.Column<long>(type: "bigint", nullable: false),
                    LastUid = table.Column<long>(type: "bigint", nullable: false),
                    LastPolledAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboundFolders", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "InboundMessages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DedupKey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    MessageId = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: true),
                    Folder = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: false),
                    UidValidity = table.Column<long>(type: "bigint", nullable: false),
                    Uid = table.Column<long>(type: "bigint", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Length = table.Column<long>(type: "bigint", nullable: false),
                    From = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: true),
                    Subject = table.Column<string>(type: "character varying(998)", maxLength: 998, nullable: true),
                    SentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ReceivedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Kind = table.Column<int>(type: "integer", nullable: true),
                    Classification = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    State = table.Column<int>(type: "integer", nullable: false),
                    MatchedBy = table.Column<int>(type: "integer", nullable: true),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    CaseId = table.Column<int>(type: "integer", nullable: true),
                    EvidenceFileId = table.Column<long>(type: "bigint", nullable: true),
                    Ciphertext = table.Column<byte[]>(type: "bytea", nullable: true),
                    TriagedById = table.Column<string>(type: "character varying(450)", maxLength: 450, nullable: true),
                    TriagedByName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    TriagedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    DiscardReason = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboundMessages", x => x.Id);
                    table.ForeignKey(
                        name: "FK_InboundMessages_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_InboundMessages_EvidenceFiles_EvidenceFileId",
                        column: x => x.EvidenceFileId,
                        principalTable: "EvidenceFiles",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_CaseId",
                table: "InboundMessages",
                column: "CaseId");

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_DedupKey",
                table: "InboundMessages",
                column: "DedupKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_EvidenceFileId",
                table: "InboundMessages",
                column: "EvidenceFileId");

            migrationBuilder.CreateIndex(
                name: "IX_InboundMessages_State_ReceivedAt",
                table: "InboundMessages",
                columns: new[] { "State", "ReceivedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "InboundFolders");

            migrationBuilder.DropTable(
                name: "InboundMessages");

            migrationBuilder.DropColumn(
                name: "BounceDetail",
                table: "CaseContacts");

            migrationBuilder.DropColumn(
                name: "BouncedAt",
                table: "CaseContacts");

            migrationBuilder.DropColumn(
                name: "Bouncing",
                table: "CaseContacts");
        }
    }
}
