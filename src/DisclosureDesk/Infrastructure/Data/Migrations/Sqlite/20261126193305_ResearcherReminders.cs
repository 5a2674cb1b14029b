using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ResearcherReminders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DedupKey",
                table: "OutboxMessages",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Purpose",
                table: "OutboxMessages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "DisclosureDays",
                table: "Cases",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DisclosurePolicyId",
                table: "Cases",
                type: "TEXT",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "FixedAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "GraceGrantedAt",
                table: "Cases",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RemindersOff",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);


            // Rows written before purposes existed: account emails have no case; a case's first email notified
            // the owner and its later ones were follow-ups. Policies are recovered from the recorded name.
            migrationBuilder.Sql("""
                UPDATE "OutboxMessages" SET "Purpose" = 4 WHERE "CaseId" IS NULL;
                UPDATE "OutboxMessages" SET "Purpose" = 1 WHERE "CaseId" IS NOT NULL
                    AND "Id" <> (SELECT MIN(o."Id") FROM "OutboxMessages" o WHERE o."CaseId" = "OutboxMessages"."CaseId");
                UPDATE "Cases" SET "DisclosurePolicyId" = 'exposed-data', "DisclosureDays" = 30 WHERE "DisclosurePolicy" = 'Exposed-data default (30 days)';
                UPDATE "Cases" SET "DisclosurePolicyId" = 'cert-cc', "DisclosureDays" = 45 WHERE "DisclosurePolicy" = 'CERT/CC (45 days)';
                UPDATE "Cases" SET "DisclosurePolicyId" = 'project-zero', "DisclosureDays" = 90 WHERE "DisclosurePolicy" = 'Google Project Zero (90 days)';
                """);

            migrationBuilder.CreateIndex(
                name: "IX_OutboxMessages_DedupKey",
                table: "OutboxMessages",
                column: "DedupKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Cases_DisclosureDeadlineAt",
                table: "Cases",
                column: "DisclosureDeadlineAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_OutboxMessages_DedupKey",
                table: "OutboxMessages");

            migrationBuilder.DropIndex(
                name: "IX_Cases_DisclosureDeadlineAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "DedupKey",
                table: "OutboxMessages");

            migrationBuilder.DropColumn(
                name: "Purpose",
                table: "OutboxMessages");

            migrationBuilder.DropColumn(
                name: "DisclosureDays",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "DisclosurePolicyId",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "FixedAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "GraceGrantedAt",
                table: "Cases");

            migrationBuilder.DropColumn(
                name: "RemindersOff",
                table: "AspNetUsers");
        }
    }
}
