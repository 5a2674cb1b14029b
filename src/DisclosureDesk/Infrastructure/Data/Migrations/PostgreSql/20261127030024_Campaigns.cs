using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.PostgreSql
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
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ContactEmail",
                table: "ImportRow",
                type: "character varying(254)",
                maxLength: 254,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Campaigns",
                columns: table => new
                {
                    CaseId = table.Column<int>(type: "integer", nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FirstSentAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    ImportRunId = table.Column<long>(type: "bigint", nullable: true)
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
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CaseId = table.Column<int>(type: "integer", nullable: false),
                    Key = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    Email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    Domain = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: true),
                    Name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    Findings = table.Column<string>(type: "character varying(20000)", maxLength: 20000, nullable: false),
                    FindingCount = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<int>(type: "integer", nullable: false),
                    PossiblyMitigated = table.Column<bool>(type: "boolean", nullable: false),
                    StateDetail = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    NotifiedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    StateChangedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    NoResponseAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Round = table.Column<int>(type: "integer", nullable: false)
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
