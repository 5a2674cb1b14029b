using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Campaigns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CampaignRecipientId",
                table: "OutboxMessages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContactEmail",
                table: "ImportRow",
                type: "TEXT",
                maxLength: 254,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Campaigns",
                columns: table => new
                {
                    CaseId = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FirstSentAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ImportRunId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Campaigns", x => x.CaseId);
                    table.ForeignKey(
                        name: "FK_Campaigns_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "CampaignRecipients",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CaseId = table.Column<int>(type: "INTEGER", nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Email = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    Domain = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Findings = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: false),
                    FindingCount = table.Column<int>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    PossiblyMitigated = table.Column<bool>(type: "INTEGER", nullable: false),
                    StateDetail = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    NotifiedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    StateChangedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    NoResponseAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Round = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CampaignRecipients", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CampaignRecipients_Campaigns_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Campaigns",
                        principalColumn: "CaseId",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_CampaignRecipientId",
                table: "OutboxMessages",
                column: "CampaignRecipientId");

            migrationBuilder.CreateIndex(
                name: "IX_CampaignRecipients_CaseId_Id",
                table: "CampaignRecipients",
                columns: new[] { "CaseId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_CampaignRecipients_CaseId_Key",
                table: "CampaignRecipients",
                columns: new[] { "CaseId", "Key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CampaignRecipients_CaseId_State_Id",
                table: "CampaignRecipients",
                columns: new[] { "CaseId", "State", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_CampaignRecipients_State_NoResponseAt",
                table: "CampaignRecipients",
                columns: new[] { "State", "NoResponseAt" });

            migrationBuilder.AddForeignKey(
                name: "FK_OutboxMessages_CampaignRecipients_CampaignRecipientId",
                table: "OutboxMessages",
                column: "CampaignRecipientId",
                principalTable: "CampaignRecipients",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_OutboxMessages_CampaignRecipients_CampaignRecipientId",
                table: "OutboxMessages");

            migrationBuilder.DropTable(
                name: "CampaignRecipients");

            migrationBuilder.DropTable(
                name: "Campaigns");

            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_CampaignRecipientId",
                table: "OutboxMessages");

            migrationBuilder.DropColumn(
                name: "CampaignRecipientId",
                table: "OutboxMessages");

            migrationBuilder.DropColumn(
                name: "ContactEmail",
                table: "ImportRow");
        }
    }
}
