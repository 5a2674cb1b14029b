using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DisclosureDesk.Infrastructure.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ImportRdapOwners : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "OwnerHosts",
                table: "ImportRun",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "OwnerHostsDone",
                table: "ImportRun",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "OwnerLookup",
                table: "ImportRun",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "OwnerLookupCancelRequested",
                table: "ImportRun",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "OwnerLookupError",
                table: "ImportRun",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "OwnerLookups",
                table: "ImportRun",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "OwnerNetworkId",
                table: "ImportRow",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OwnerWarning",
                table: "ImportRow",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ImportOwnerNetwork",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RunId = table.Column<long>(type: "INTEGER", nullable: false),
                    StartAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    EndAddress = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Handle = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Registry = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    Organization = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    AbuseEmail = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    AbuseName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Source = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportOwnerNetwork", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ImportOwnerNetwork_ImportRun_RunId",
                        column: x => x.RunId,
                        principalTable: "ImportRun",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ImportRow_OwnerNetworkId",
                table: "ImportRow",
                column: "OwnerNetworkId");

            migrationBuilder.CreateIndex(
                name: "IX_ImportOwnerNetwork_RunId",
                table: "ImportOwnerNetwork",
                column: "RunId");

            migrationBuilder.AddForeignKey(
                name: "FK_ImportRow_ImportOwnerNetwork_OwnerNetworkId",
                table: "ImportRow",
                column: "OwnerNetworkId",
                principalTable: "ImportOwnerNetwork",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_ImportRow_ImportOwnerNetwork_OwnerNetworkId",
                table: "ImportRow");

            migrationBuilder.DropTable(
                name: "ImportOwnerNetwork");

            migrationBuilder.DropIndex(
                name: "IX_ImportRow_OwnerNetworkId",
                table: "ImportRow");

            migrationBuilder.DropColumn(
                name: "OwnerHosts",
                table: "ImportRun");

            migrationBuilder.DropColumn(
                name: "OwnerHostsDone",
                table: "ImportRun");

            migrationBuilder.DropColumn(
                name: "OwnerLookup",
                table: "ImportRun");

            migrationBuilder.DropColumn(
                name: "OwnerLookupCancelRequested",
                table: "ImportRun");

            migrationBuilder.DropColumn(
                name: "OwnerLookupError",
                table: "ImportRun");

            migrationBuilder.DropColumn(
                name: "OwnerLookups",
                table: "ImportRun");

            migrationBuilder.DropColumn(
                name: "OwnerNetworkId",
                table: "ImportRow");

            migrationBuilder.DropColumn(
                name: "OwnerWarning",
                table: "ImportRow");
        }
    }
}
