using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Timeline;
using DisclosureDesk.Features.Users;
using Microsoft.Data.Sqlite;

namespace DisclosureDesk.Benchmarks;

/// <summary>
/// Writes users, cases, memberships and timeline events with prepared ADO.NET inserts. EF's change
/// tracker would take many minutes over a million rows; this takes about half a minute. The data is seeded, so
/// every generated file holds the same data and figures from different runs compare like with like.
/// </summary>
internal static class CaseDataGenerator
{
    public const string AdministratorId = "bench-admin";
    public const int ResearcherCount = 10;

    // Every 100th case is led by each researcher, so researcher 1 leads 1,000 cases and, as a member of
    // 100 more, sees 1,100: a typical non-administrator's view of a large installation.
    private const int LeadCycle = 100;
    private const int MemberSlot = 50;

    // One transaction per about 55,000 rows (5,000 cases and their events): few enough commits to be
    // fast, small enough that the WAL stays small between checkpoints.
    private const int CasesPerTransaction = 5_000;

    private static readonly DateTime FirstCreatedAt = new(2023, 7, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly int CreationWindowSeconds = (int)TimeSpan.FromDays(3 * 365).TotalSeconds;
    private static readonly JsonSerializerOptions ChangeJson = new(JsonSerializerDefaults.Web);

    private static readonly string[] Brands =
    [
        "Acme", "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Vandelay", "Hooli", "Tyrell",
        "Cyberdyne", "Soylent", "Oscorp", "Aperture", "Wonka", "Gringotts", "Monarch", "Stark", "Wayne", "Nakatomi",
        "Blue Harbor", "Red Pine", "Silver Lake", "Granite", "Evergreen", "Summit", "Polaris", "Meridian", "Atlas", "Orion",
    ];

    private static readonly string[] Sectors =
    [
        "Logistics", "Health", "Bank", "Insurance", "Retail", "Telecom", "Energy", "Media", "Travel", "Clinic",
        "University", "Municipality", "Games", "Foods", "Analytics", "Labs", "Pharma", "Motors", "Airlines", "Hotels",
    ];

    private static readonly string[] LegalForms = ["Ltd", "GmbH", "Inc.", "S.A.", "B.V.", "AG", "LLC", "plc", "Oy", "AB"];
    private static readonly string[] TopLevelDomains = ["com", "net", "org", "de", "co.uk", "nl", "fr", "io", "com.br", "in"];
    private static readonly string[] HostLabels = ["db", "db1", "db-prod", "mongo", "es", "es-prod", "search", "kibana", "cache", "redis", "backup", "api", "staging", "analytics", "logs"];
    private static readonly string[] Providers = ["Amazon Web Services", "Google Cloud", "Microsoft Azure", "DigitalOcean", "Hetzner", "OVHcloud", "Alibaba Cloud", "Linode", "Tencent Cloud", "Contabo"];
    private static readonly string[] Countries = ["US", "DE", "GB", "FR", "NL", "IN", "BR", "CN", "SG", "ES", "IT", "PL", "TR", "ID", "VN"];
    private static readonly string[] DatabaseNames = ["customers", "orders", "users", "patients", "payments", "logs", "crm", "leads", "invoices", "employees", "bookings", "sessions"];
    private static readonly string[] Categories = ["customer records", "patient files", "payment data", "user accounts", "server logs", "passport scans", "GPS traces", "employee records"];
    private static readonly string[] TagSets = ["", "pii", "pii,financial", "health", "ransom", "credentials", "pii,ransom", "gdpr", "children", "government"];
    private static readonly string[] Notes = ["Checked again: still open.", "Owner's hosting provider contacted.", "Asked the CERT for help.", "Owner replied; fix promised.", "Verified the record count on a sample."];

    private static readonly (ServiceEngine Service, int Port, int Weight)[] Services =
    [
        (ServiceEngine.MongoDB, 27017, 30), (ServiceEngine.Elasticsearch, 9200, 25), (ServiceEngine.Kibana, 5601, 5),
        (ServiceEngine.Redis, 6379, 10), (ServiceEngine.CouchDB, 5984, 3), (ServiceEngine.Cassandra, 9042, 2),
        (ServiceEngine.MySQL, 3306, 8), (ServiceEngine.PostgreSQL, 5432, 6), (ServiceEngine.S3Bucket, 443, 8),
        (ServiceEngine.Kafka, 9092, 2), (ServiceEngine.Other, 8080, 1),
    ];

    private static readonly (CaseStatus Status, int Weight)[] Statuses =
    [
        (CaseStatus.New, 3), (CaseStatus.Triaged, 3), (CaseStatus.OwnerIdentified, 4), (CaseStatus.Notified, 10),
        (CaseStatus.Acknowledged, 5), (CaseStatus.Mitigated, 5), (CaseStatus.Closed, 40), (CaseStatus.Rejected, 8),
        (CaseStatus.NoResponse, 12), (CaseStatus.Escalated, 3), (CaseStatus.Published, 7),
    ];

    private static readonly (Severity Severity, int Weight)[] Severities =
        [(Severity.Low, 20), (Severity.Medium, 40), (Severity.High, 30), (Severity.Critical, 10)];

    private static readonly TimelineEventType[] LaterEventTypes =
    [
        TimelineEventType.FieldsChanged, TimelineEventType.StatusChanged, TimelineEventType.StatusChanged, TimelineEventType.NoteAdded,
        TimelineEventType.NoteAdded, TimelineEventType.ContactAdded, TimelineEventType.ContactVerified, TimelineEventType.TeamChanged,
    ];

    private static readonly string[] CaseColumns =
    [
        "Id", "Reference", "Title", "Summary", "Severity", "Tags", "Status", "RejectionReason", "Service", "Host", "HostKey", "Port",
        "Asn", "HostingProvider", "AuthenticationState", "DatabaseNames", "RecordCount", "RecordCountMethod", "DataCategories",
        "AffectedCountry", "DiscoveryMethod", "FirstSeenAt", "LastSeenAt", "RansomNotePresent", "OrganizationName",
        "OrganizationKey", "OrganizationWebsite", "LeadId", "CreatedAt", "UpdatedAt", "LastEventSequence", "LastEventHash",
    ];

    private static readonly string[] EventColumns =
        ["CaseId", "Sequence", "OccurredAt", "ActorId", "ActorName", "Type", "Visibility", "Text", "Changes", "PreviousHash", "Hash"];

    public static string ResearcherId(int number) => $"bench-researcher-{number:00}";

    private static string ResearcherName(int number) => $"Researcher {number:00}";

    public static async Task WriteAsync(SqliteConnection connection, TextWriter log)
    {
        var random = new Random(20_260_101);
        var stopwatch = Stopwatch.StartNew();
        await WriteUsersAsync(connection, random);

        // Ids and references follow creation order, as the app allocates them.
        var createdAt = Enumerable.Range(0, BenchmarkDatabase.CaseCount)
            .Select(_ => FirstCreatedAt.AddSeconds(random.Next(CreationWindowSeconds)))
            .Order()
            .ToArray();
        var numberInYear = new Dictionary<int, int>();

        using var insertCase = Prepare(connection, "Cases", CaseColumns);
        using var insertEvent = Prepare(connection, "TimelineEvents", EventColumns);
        using var insertMember = Prepare(connection, "CaseMembers", "CaseId", "UserId", "AddedAt");
        for (var start = 0; start < createdAt.Length; start += CasesPerTransaction)
        {
            using var transaction = connection.BeginTransaction();
            insertCase.Transaction = insertEvent.Transaction = insertMember.Transaction = transaction;
            for (var index = start; index < Math.Min(start + CasesPerTransaction, createdAt.Length); index++)
            {
                var year = createdAt[index].Year;
                numberInYear[year] = numberInYear.GetValueOrDefault(year) + 1;
                var reference = $"DD-{year}-{numberInYear[year]:00000}";
                WriteCase(insertCase, insertEvent, random, index, reference, createdAt[index]);
                if (index % LeadCycle == MemberSlot)
                {
                    Execute(insertMember, index + 1, ResearcherId(index / LeadCycle % ResearcherCount + 1), createdAt[index].AddHours(1));
                }
            }
            transaction.Commit();
            if ((start + CasesPerTransaction) % 25_000 == 0)
            {
                log.WriteLine($"  {start + CasesPerTransaction:N0} cases after {stopwatch.Elapsed.TotalSeconds:F0} s");
            }
        }

        using var counters = connection.BeginTransaction();
        using var insertCounter = Prepare(connection, "CaseNumberCounters", "Year", "LastNumber");
        insertCounter.Transaction = counters;
        foreach (var (year, last) in numberInYear)
        {
            Execute(insertCounter, year, last);
        }
        counters.Commit();
    }

    private static async Task WriteUsersAsync(SqliteConnection connection, Random random)
    {
        using var transaction = connection.BeginTransaction();
        using var insertRole = Prepare(connection, "AspNetRoles", "Id", "Name", "NormalizedName", "ConcurrencyStamp");
        using var insertUser = Prepare(connection, "AspNetUsers",
            "Id", "DisplayName", "TimeZoneId", "IsDisabled", "RegisteredAt", "UserName", "NormalizedUserName", "Email", "NormalizedEmail",
            "EmailConfirmed", "SecurityStamp", "ConcurrencyStamp", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount");
        using var insertUserRole = Prepare(connection, "AspNetUserRoles", "UserId", "RoleId");
        insertRole.Transaction = insertUser.Transaction = insertUserRole.Transaction = transaction;

        foreach (var role in Roles.All)
        {
            Execute(insertRole, role, role, role.ToUpperInvariant(), Stamp(random));
        }
        var users = new[] { (Id: AdministratorId, Name: "Alex Admin", Role: Roles.Administrator) }
            .Concat(Enumerable.Range(1, ResearcherCount).Select(n => (Id: ResearcherId(n), Name: ResearcherName(n), Role: Roles.Researcher)));
        foreach (var (id, name, role) in users)
        {
            var email = $"{id}@disclosuredesk.test";
            Execute(insertUser, id, name, "UTC", false, FirstCreatedAt.AddDays(-30), email, email.ToUpperInvariant(), email, email.ToUpperInvariant(),
                true, Stamp(random), Stamp(random), false, false, true, 0);
            Execute(insertUserRole, id, role);
        }
        await transaction.CommitAsync();
    }

    private static void WriteCase(SqliteCommand insertCase, SqliteCommand insertEvent, Random random, int index, string reference, DateTime createdAt)
    {
        var id = index + 1;
        var (leadId, leadName) = index % LeadCycle < ResearcherCount
            ? (ResearcherId(index % LeadCycle + 1), ResearcherName(index % LeadCycle + 1))
            : (AdministratorId, "Alex Admin");
        var (service, port, _) = Pick(random, Services, s => s.Weight);
        var status = Pick(random, Statuses, s => s.Weight).Status;
        var severity = Pick(random, Severities, s => s.Weight).Severity;

        // One case in five has no owner identified yet.
        string? organization = random.Next(5) == 0
            ? null
            : $"{Brands[random.Next(Brands.Length)]} {Sectors[random.Next(Sectors.Length)]} {LegalForms[random.Next(LegalForms.Length)]}";
        var domain = organization is null
            ? $"{Brands[random.Next(Brands.Length)].ToLowerInvariant().Replace(' ', '-')}-{random.Next(1000)}.{TopLevelDomains[random.Next(TopLevelDomains.Length)]}"
            : $"{organization.Split(' ')[0].ToLowerInvariant()}-{organization.Split(' ')[1].ToLowerInvariant()}.{TopLevelDomains[random.Next(TopLevelDomains.Length)]}";
        var host = random.Next(10) < 7
            ? $"{random.Next(1, 224)}.{random.Next(256)}.{random.Next(256)}.{random.Next(1, 255)}"
            : $"{HostLabels[random.Next(HostLabels.Length)]}{random.Next(1, 20)}.{domain}";

        var provider = Providers[random.Next(Providers.Length)];
        var asn = $"AS{random.Next(1_000, 65_000)}";
        var country = Countries[random.Next(Countries.Length)];
        var category = Categories[random.Next(Categories.Length)];
        var records = (long)Math.Pow(10, 3 + random.NextDouble() * 5);
        var databases = string.Join(", ", Enumerable.Range(0, random.Next(1, 4)).Select(_ => DatabaseNames[random.Next(DatabaseNames.Length)]).Distinct());
        var firstSeen = createdAt.AddDays(-random.Next(1, 60));
        var title = random.Next(3) switch
        {
            0 => $"Open {service} on {host} exposing {category}",
            1 => $"{organization ?? "Unknown owner"}: unauthenticated {service} with {category}",
            _ => $"{records:N0} {category} in an exposed {service} ({country})",
        };
        var summary = $"A {service} instance at {host}:{port} answered without authentication. It holds the databases {databases} " +
            $"with about {records:N0} {category}. The server is hosted by {provider} ({asn}) in {country} and was first seen on " +
            $"{firstSeen:yyyy-MM-dd} in an internet-wide scan. No data was downloaded beyond the sample needed to confirm the owner.";

        var events = Timeline(random, id, reference, leadId, leadName, createdAt, status);
        var last = events[^1];
        Execute(insertCase,
            id, reference, title.Length > CaseLimits.TitleLength ? title[..CaseLimits.TitleLength] : title, summary, (int)severity,
            TagSets[random.Next(TagSets.Length)], (int)status, status == CaseStatus.Rejected ? (int)RejectionReason.Invalid : null,
            (int)service, host, host.ToLowerInvariant(), port, asn, provider, (int)ServiceAuthentication.None, databases, records,
            (int)RecordCountMethod.Estimated, (int)(DataCategories.ContactDetails | (random.Next(4) == 0 ? DataCategories.Financial : DataCategories.None)),
            country, "Internet-wide scan", firstSeen, last.OccurredAt, random.Next(20) == 0, organization, organization?.ToLowerInvariant(),
            organization is null ? null : $"https://www.{domain}", leadId, createdAt, last.OccurredAt, last.Sequence, last.Hash);
        foreach (var e in events)
        {
            Execute(insertEvent, e.CaseId, e.Sequence, e.OccurredAt, e.ActorId, e.ActorName, (int)e.Type, (int)e.Visibility, e.Text, e.Changes, e.PreviousHash, e.Hash);
        }
    }

    /// <summary>A real hash chain, so the audit-trail verification works on the generated cases too.</summary>
    private static TimelineEvent[] Timeline(Random random, int caseId, string reference, string leadId, string leadName, DateTime createdAt, CaseStatus finalStatus)
    {
        var events = new TimelineEvent[BenchmarkDatabase.EventsPerCase];
        var occurredAt = createdAt;
        var previousHash = AuditChain.GenesisHash;
        var status = CaseStatus.New;
        for (var i = 0; i < events.Length; i++)
        {
            var type = i == 0 ? TimelineEventType.CaseCreated : LaterEventTypes[random.Next(LaterEventTypes.Length)];
            string? changes = null;
            var text = "Case created.";
            switch (type)
            {
                case TimelineEventType.StatusChanged:
                    var next = i == events.Length - 1 || random.Next(2) == 0 ? finalStatus : (CaseStatus)random.Next((int)CaseStatus.Published + 1);
                    changes = JsonSerializer.Serialize(new[] { new FieldChange("Status", status.ToString(), next.ToString()) }, ChangeJson);
                    text = $"Status changed to {next}.";
                    status = next;
                    break;
                case TimelineEventType.FieldsChanged:
                    changes = JsonSerializer.Serialize(new[] { new FieldChange("Severity", "Medium", "High") }, ChangeJson);
                    text = "Case details edited.";
                    break;
                case TimelineEventType.NoteAdded:
                    text = Notes[random.Next(Notes.Length)];
                    break;
                case TimelineEventType.ContactAdded:
                    text = "Contact added: abuse desk (RDAP abuse).";
                    break;
                case TimelineEventType.ContactVerified:
                    text = "Contact verified: abuse desk.";
                    break;
                case TimelineEventType.TeamChanged:
                    text = "Team changed.";
                    break;
            }
            var e = new TimelineEvent
            {
                CaseId = caseId,
                Sequence = i + 1,
                OccurredAt = AuditChain.TruncateToStoredPrecision(occurredAt),
                ActorId = leadId,
                ActorName = leadName,
                Type = type,
                Visibility = type == TimelineEventType.NoteAdded && random.Next(4) == 0 ? EventVisibility.Owner : EventVisibility.Internal,
                Text = text,
                Changes = changes,
                PreviousHash = previousHash,
            };
            e.Hash = AuditChain.ComputeHash(e, reference);
            events[i] = e;
            previousHash = e.Hash;
            occurredAt = occurredAt.AddMinutes(random.Next(5, 3 * 24 * 60));
        }
        return events;
    }

    private static string Stamp(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes).ToString();
    }

    private static T Pick<T>(Random random, T[] choices, Func<T, int> weight)
    {
        var roll = random.Next(choices.Sum(weight));
        foreach (var choice in choices)
        {
            roll -= weight(choice);
            if (roll < 0)
            {
                return choice;
            }
        }
        throw new UnreachableException();
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string table, params string[] columns)
    {
        var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(c => $"\"{c}\""))}) " +
            $"VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))})";
        for (var i = 0; i < columns.Length; i++)
        {
            command.Parameters.Add(new SqliteParameter($"$p{i}", DBNull.Value));
        }
        return command;
    }

    private static void Execute(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] switch
            {
                null => DBNull.Value,
                bool flag => flag ? 1 : 0,
                var value => value,
            };
        }
        command.ExecuteNonQuery();
    }
}
