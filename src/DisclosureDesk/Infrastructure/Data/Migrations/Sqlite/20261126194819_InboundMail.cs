using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.Sqlite
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
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "BouncedAt",
                table: "CaseContacts",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Bouncing",
                table: "CaseContacts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "InboundFolders",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 998, nullable: false),
                    UidValidity = table.Column<long>(type: "INTEGER", nullable: false),
                    LastUid = table.Column<long>(type: "INTEGER", nullable: false),
                    LastPolledAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboundFolders", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "InboundMessages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DedupKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    MessageId = table.Column<string>(type: "TEXT", maxLength: 998, nullable: true),
                    Folder = table.Column<string>(type: "TEXT", maxLength: 998, nullable: false),
                    UidValidity = table.Column<long>(type: "INTEGER", nullable: false),
                    Uid = table.Column<long>(type: "INTEGER", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Length = table.Column<long>(type: "INTEGER", nullable: false),
                    From = table.Column<string>(type: "TEXT", maxLength: 998, nullable: true),
                    Subject = table.Column<string>(type: "TEXT", maxLength: 998, nullable: true),
                    SentAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Kind = table.Column<int>(type: "INTEGER", nullable: true),
                    Classification = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    MatchedBy = table.Column<int>(type: "INTEGER", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    CaseId = table.Column<int>(type: "INTEGER", nullable: true),
                    EvidenceFileId = table.Column<long>(type: "INTEGER", nullable: true),
                    Ciphertext = table.Column<byte[]>(type: "BLOB", nullable: true),
                    TriagedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    TriagedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    TriagedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    DiscardReason = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
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
