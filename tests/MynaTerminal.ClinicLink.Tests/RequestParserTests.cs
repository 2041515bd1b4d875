using System.Text;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;

namespace MynaTerminal.ClinicLink.Tests;

public sealed class RequestParserTests
{
    private const string Id = "0196a1b2-0000-7000-8000-000000000001";

    private static ClinicRequestResult Parse(string name, string payload) =>
        ClinicRequestParser.Parse(name, Encoding.UTF8.GetBytes(payload));

    [Fact]
    public void A_full_eligibility_answer_becomes_a_command()
    {
        var result = Parse("eligibility", $$"""
            {"schema":"mynaterm.eligibility/1","verificationId":"{{Id}}","status":"valid",
             "greetingName":"  山田 太郎 ","notices":["限度額適用認定証の情報があります","line1\nline2"],
             "transaction":"tx-1","futureField":{"ignored":true} }
            """);

        Assert.True(result.IsOk, result.Error);
        var answer = Assert.IsType<ClinicCommand.Eligibility>(result.Command).Answer;
        Assert.Equal(Guid.Parse(Id), answer.VerificationId);
        Assert.Equal(EligibilityStatus.Valid, answer.Status);
        Assert.Equal("山田 太郎", answer.GreetingName);
        Assert.Equal(["限度額適用認定証の情報があります", "line1\nline2"], answer.Notices);
        Assert.Equal("tx-1", result.Transaction);
        Assert.Null(result.Error);
    }

    [Theory]
    [InlineData("invalid", EligibilityStatus.Invalid)]
    [InlineData("notFound", EligibilityStatus.NotFound)]
    public void Minimal_eligibility_answer_needs_only_id_and_status(string status, EligibilityStatus expected)
    {
        var result = Parse("eligibility", $$"""{"verificationId":"{{Id}}","status":"{{status}}"}""");

        var answer = Assert.IsType<ClinicCommand.Eligibility>(result.Command).Answer;
        Assert.Equal(expected, answer.Status);
        Assert.Null(answer.GreetingName);
        Assert.Empty(answer.Notices);
        Assert.Null(result.Transaction);
    }

    public static TheoryData<string, string> MalformedEligibility => new()
    {
        { "empty", "" },
        { "not json", "{not json" },
        { "truncated", $$"""{"verificationId":"{{Id}}","status":"valid" """ },
        { "array", "[]" },
        { "null", "null" },
        { "string", "\"valid\"" },
        { "empty object", "{}" },
        { "missing status", $$"""{"verificationId":"{{Id}}"}""" },
        { "missing id", """{"status":"valid"}""" },
        { "id not a guid", """{"verificationId":"abc","status":"valid"}""" },
        { "id a number", """{"verificationId":42,"status":"valid"}""" },
        { "empty guid", """{"verificationId":"00000000-0000-0000-0000-000000000000","status":"valid"}""" },
        { "status wrong case", $$"""{"verificationId":"{{Id}}","status":"VALID"}""" },
        { "status unknown", $$"""{"verificationId":"{{Id}}","status":"maybe"}""" },
        { "status a number", $$"""{"verificationId":"{{Id}}","status":0}""" },
        { "status null", $$"""{"verificationId":"{{Id}}","status":null}""" },
        { "greetingName a number", $$"""{"verificationId":"{{Id}}","status":"valid","greetingName":7}""" },
        { "greetingName with control", $$"""{"verificationId":"{{Id}}","status":"valid","greetingName":"a\u0007b"}""" },
        { "greetingName too long", $$"""{"verificationId":"{{Id}}","status":"valid","greetingName":"{{new string('x', 101)}}"}""" },
        { "notices a string", $$"""{"verificationId":"{{Id}}","status":"valid","notices":"x"}""" },
        { "notices with a number", $$"""{"verificationId":"{{Id}}","status":"valid","notices":["a",1]}""" },
        { "too many notices", $$"""{"verificationId":"{{Id}}","status":"valid","notices":[{{string.Join(",", Enumerable.Repeat("\"n\"", 21))}}]}""" },
        { "duplicate property", $$"""{"verificationId":"{{Id}}","status":"valid","status":"invalid"}""" },
        { "unknown schema", $$"""{"schema":"mynaterm.eligibility/2","verificationId":"{{Id}}","status":"valid"}""" },
        { "transaction a number", $$"""{"verificationId":"{{Id}}","status":"valid","transaction":5}""" },
        { "trailing comma", $$"""{"verificationId":"{{Id}}","status":"valid",}""" },
        { "comment", $$"""{"verificationId":"{{Id}}",/* c */"status":"valid"}""" },
        { "too deep", $$"""{"verificationId":"{{Id}}","status":"valid","x":[[[[[[[[[[1]]]]]]]]]]}""" },
    };

    [Theory]
    [MemberData(nameof(MalformedEligibility))]
    public void Malformed_eligibility_gives_an_error_and_no_command(string because, string payload)
    {
        var result = Parse("eligibility", payload);

        Assert.False(result.IsOk, because);
        Assert.Null(result.Command);
        Assert.False(string.IsNullOrWhiteSpace(result.Error), because);
    }

    [Fact]
    public void Invalid_utf8_gives_an_error()
    {
        var bytes = Encoding.UTF8.GetBytes($$"""{"verificationId":"{{Id}}","status":"valid","greetingName":"AB"}""");
        var at = Array.IndexOf(bytes, (byte)'A');
        bytes[at] = 0xFF;
        bytes[at + 1] = 0xFE;

        var result = ClinicRequestParser.Parse("eligibility", bytes);

        Assert.Null(result.Command);
        Assert.NotNull(result.Error);
    }

    [Fact]
    public void A_leading_utf8_byte_order_mark_is_accepted()
    {
        byte[] bytes = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes($$"""{"verificationId":"{{Id}}","status":"valid"}""")];

        Assert.IsType<ClinicCommand.Eligibility>(ClinicRequestParser.Parse("eligibility", bytes).Command);
    }

    [Fact]
    public void Oversized_payload_is_refused_before_parsing()
    {
        var result = Parse("cancel", "{\"x\":\"" + new string('a', ClinicRequestParser.MaxPayloadBytes) + "\"}");

        Assert.Null(result.Command);
        Assert.Contains("too large", result.Error);
    }

    [Fact]
    public void The_transaction_is_echoed_with_an_error_when_it_could_be_read()
    {
        var result = Parse("eligibility", """{"transaction":"tx-7","verificationId":"nope","status":"valid"}""");

        Assert.Null(result.Command);
        Assert.Equal("tx-7", result.Transaction);
        Assert.Contains("verificationId", result.Error);
    }

    [Theory]
    [InlineData("cancel", typeof(ClinicCommand.Cancel))]
    [InlineData("staff-visual", typeof(ClinicCommand.StaffVisualApproval))]
    [InlineData("staff-resume", typeof(ClinicCommand.StaffResume))]
    public void Simple_requests_take_an_empty_payload_or_an_object(string name, Type expected)
    {
        Assert.IsType(expected, Parse(name, "").Command);
        Assert.IsType(expected, Parse(name, "{}").Command);
        var withTransaction = Parse(name, """{"schema":"mynaterm.request/1","transaction":"abc"}""");
        Assert.IsType(expected, withTransaction.Command);
        Assert.Equal("abc", withTransaction.Transaction);
    }

    [Theory]
    [InlineData("cancel", "nope")]
    [InlineData("cancel", "[1]")]
    [InlineData("staff-visual", """{"transaction":{}}""")]
    [InlineData("staff-resume", """{"schema":"other/1"}""")]
    public void Malformed_simple_requests_give_an_error(string name, string payload)
    {
        var result = Parse(name, payload);

        Assert.Null(result.Command);
        Assert.NotNull(result.Error);
    }

    [Theory]
    [InlineData("reboot")]
    [InlineData("Eligibility")]
    [InlineData("a/b")]
    public void Unknown_requests_give_an_error(string name)
    {
        var result = Parse(name, "{}");

        Assert.Null(result.Command);
        Assert.Contains("unknown request", result.Error);
    }
}
