using System.Text;
using DisclosureDesk.Features.Cases;
using DisclosureDesk.Features.Import;

namespace DisclosureDesk.UnitTests.Features.Import;

public sealed class ScanFileParserTests
{
    private static Stream Sample(string name) => File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Features", "Import", "Samples", name));

    private static Stream Text(string text) => new MemoryStream(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void Parse_SearchEngineSample_NormalisesEveryFieldAndKeepsTheRawLine()
    {
        var rows = JsonLinesParser.Parse(Sample("shodan-style.jsonl"), ImportFormat.SearchEngineJson).ToList();

        Assert.All(rows, r => Assert.Null(r.Error));
        var findings = rows.Select(r => r.Finding!).ToList();
        Assert.Equal([1, 2, 3, 4], findings.Select(f => f.Line));
        var mongo = findings[0];
        Assert.Equal(("198.51.100.20", 27017, "tcp"), (mongo.Host, mongo.Port, mongo.Transport));
        Assert.Equal(ServiceEngine.MongoDB, mongo.Service);
        Assert.Equal(("Example Hosting BV", "AS64500"), (mongo.Organization, mongo.Asn));
        Assert.Equal(["db1.example.nl", "example.nl"], mongo.Hostnames);
        Assert.Equal(new DateTime(2026, 3, 1, 10, 0, 0, DateTimeKind.Utc), mongo.SeenAt);
        Assert.Equal(DateTimeKind.Utc, mongo.SeenAt!.Value.Kind);
        Assert.Contains("\"databases\":[\"shop\"]", mongo.Raw, StringComparison.Ordinal);
        Assert.Equal(ServiceEngine.Elasticsearch, findings[1].Service);
        Assert.Equal(("2001:db8::15", ServiceEngine.Redis), (findings[2].Host, findings[2].Service));
    }

    [Fact]
    public void Parse_ShodanIntegerIpWithoutIpStr_ReadsTheDottedAddress()
    {
        var finding = JsonLinesParser.Parse(Text("""{"ip":3325256724,"port":5601}"""), ImportFormat.SearchEngineJson).Single().Finding!;

        Assert.Equal(("198.51.100.20", ServiceEngine.Kibana), (finding.Host, finding.Service));
    }

    [Fact]
    public void Parse_NucleiSample_ReadsHostPortSeverityAndServiceFromTemplate()
    {
        var findings = JsonLinesParser.Parse(Sample("nuclei.jsonl"), ImportFormat.NucleiJson).Select(r => r.Finding!).ToList();

        Assert.Equal(2, findings.Count);
        Assert.Equal(("bücher.example", 27017, ServiceEngine.MongoDB, Severity.High), (findings[0].Host, findings[0].Port, findings[0].Service, findings[0].Severity));
        Assert.Equal("MongoDB Unauthenticated Access (mongodb-unauth)", findings[0].Name);
        Assert.Equal(("search.example.org", 9200, ServiceEngine.Elasticsearch, Severity.Critical), (findings[1].Host, findings[1].Port, findings[1].Service, findings[1].Severity));
    }

    [Fact]
    public void Parse_CsvSampleWithProposedMapping_ReadsQuotedFieldsIpv6AndBareAsn()
    {
        var header = CsvFindingParser.ReadHeader(Sample("findings.csv"))!;
        var mapping = CsvFindingParser.ProposeMapping(header);

        Assert.Equal(0, mapping[CsvField.Host]);
        Assert.Equal(1, mapping[CsvField.Port]);
        Assert.Equal(3, mapping[CsvField.Organization]);
        Assert.Equal(5, mapping[CsvField.Timestamp]);
        var findings = CsvFindingParser.Parse(Sample("findings.csv"), mapping).Select(r => r.Finding!).ToList();
        Assert.Equal([2, 3, 4], findings.Select(f => f.Line));
        Assert.Equal(("203.0.113.80", 5984, ServiceEngine.CouchDB, "Acme, Inc."), (findings[0].Host, findings[0].Port, findings[0].Service, findings[0].Organization));
        Assert.Equal(("2001:db8::81", "AS64511", ServiceEngine.PostgreSQL), (findings[2].Host, findings[2].Asn, findings[2].Service));
        Assert.Contains("\"Organisation\":\"Beta GmbH\"", findings[2].Raw, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TruncatedFileWithBadRows_ReportsEachBadLineAndKeepsTheGoodOnes()
    {
        var rows = JsonLinesParser.Parse(Sample("truncated.jsonl"), ImportFormat.SearchEngineJson).ToList();

        Assert.Equal([1, 5], rows.Where(r => r.Finding is not null).Select(r => r.Finding!.Line));
        var errors = rows.Where(r => r.Error is not null).Select(r => r.Error!).ToList();
        Assert.Equal([2, 3, 4, 6], errors.Select(e => e.Line));
        Assert.Contains("is not an IP address or hostname", errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("between 1 and 65535", errors[1].Reason, StringComparison.Ordinal);
        Assert.StartsWith("No host", errors[2].Reason, StringComparison.Ordinal);
        Assert.Contains("truncated", errors[3].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Latin1Csv_ReportsTheLineThatIsNotUtf8()
    {
        var mapping = CsvFindingParser.ProposeMapping(CsvFindingParser.ReadHeader(Sample("latin1.csv"))!);
        var rows = CsvFindingParser.Parse(Sample("latin1.csv"), mapping).ToList();

        var error = Assert.Single(rows, r => r.Error is not null).Error!;
        Assert.Equal(2, error.Line);
        Assert.Contains("UTF-8", error.Reason, StringComparison.Ordinal);
        Assert.Equal("203.0.113.91", Assert.Single(rows, r => r.Finding is not null).Finding!.Host);
    }

    [Theory]
    [InlineData("{not json}\n", "Not valid JSON")]
    [InlineData("[1,2]\n", "one JSON object")]
    [InlineData("{\"ip_str\":\"198.51.100.1\"}\n", "No port")]
    [InlineData("{\"ip_str\":\"198.51.100.1\",\"port\":\"80x\"}\n", "not between 1 and 65535")]
    [InlineData("{\"ip_str\":\"198.51.100.1\",\"port\":0}\n", "not between 1 and 65535")]
    [InlineData("{\"ip_str\":\"198.51.100.1\",\"port\":80,\"asn\":\"ASX\"}\n", "ASN")]
    [InlineData("{\"ip_str\":\"198.51.100.1\",\"port\":80,\"timestamp\":\"yesterday\"}\n", "timestamp")]
    [InlineData("{\"ip_str\":\"010.0.0.1\",\"port\":80}\n", "not an IP address")]
    public void Parse_BadJsonLine_ReportsLineOneWithTheReason(string line, string reason)
    {
        var error = Assert.Single(JsonLinesParser.Parse(Text(line), ImportFormat.SearchEngineJson)).Error;

        Assert.NotNull(error);
        Assert.Equal(1, error.Line);
        Assert.Contains(reason, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BlankLinesAndCrLf_AreSkippedAndLineNumbersStayPhysical()
    {
        var rows = JsonLinesParser.Parse(Text("\r\n{\"ip_str\":\"198.51.100.1\",\"port\":80}\r\n\r\n{\"ip_str\":\"198.51.100.2\",\"port\":81}"), ImportFormat.SearchEngineJson).ToList();

        Assert.Equal([2, 4], rows.Select(r => r.Finding!.Line));
    }

    [Fact]
    public void Parse_LineOverTheLimit_IsAnErrorAndTheNextLineStillReads()
    {
        var huge = "{\"x\":\"" + new string('a', ScanLines.MaxLineBytes + 10) + "\"}\n{\"ip_str\":\"198.51.100.1\",\"port\":80}\n";
        var rows = JsonLinesParser.Parse(Text(huge), ImportFormat.SearchEngineJson).ToList();

        Assert.Contains("longer than", rows[0].Error!.Reason, StringComparison.Ordinal);
        Assert.Equal(2, rows[1].Finding!.Line);
    }

    [Fact]
    public void Parse_CsvWithUnclosedQuoteAtEnd_ReportsTruncation()
    {
        var rows = CsvFindingParser.Parse(Text("host,port\n198.51.100.1,80\n\"198.51.100.2,81"),
            new Dictionary<CsvField, int> { [CsvField.Host] = 0, [CsvField.Port] = 1 }).ToList();

        Assert.Equal("198.51.100.1", rows[0].Finding!.Host);
        Assert.Equal(3, rows[1].Error!.Line);
        Assert.Contains("truncated", rows[1].Error!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CsvWithoutHostMapping_RefusesTheFile()
    {
        var rows = CsvFindingParser.Parse(Text("a,b\n1,2\n"), new Dictionary<CsvField, int>()).ToList();

        Assert.Contains("host and the port", Assert.Single(rows).Error!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_CsvRowWithWrongColumnCount_IsARowError()
    {
        var rows = CsvFindingParser.Parse(Text("host,port\n198.51.100.1,80,extra\n"),
            new Dictionary<CsvField, int> { [CsvField.Host] = 0, [CsvField.Port] = 1 }).ToList();

        Assert.Contains("3 columns", Assert.Single(rows).Error!.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("db.example:27017", "db.example", "27017")]
    [InlineData("[2001:db8::1]:6379", "2001:db8::1", "6379")]
    [InlineData("2001:db8::1", "2001:db8::1", null)]
    [InlineData("https://search.example.org/x", "search.example.org", "443")]
    public void HostAndPort_ScannerHostForms_SplitsHostFromPort(string value, string host, string? port)
    {
        Assert.Equal((host, port), JsonLinesParser.HostAndPort(value));
    }
}
