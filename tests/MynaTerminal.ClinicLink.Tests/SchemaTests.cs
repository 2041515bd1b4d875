using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using MynaTerminal.ClinicLink.Tests.Support;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink.Tests;

/// <summary>
/// docs/mqtt/schemas against what <see cref="ClinicLinkJson"/> really writes: every payload type, every enum
/// value, null and non-null optionals. A field added to a payload (additionalProperties:false) or a required
/// one dropped makes these fail.
/// </summary>
public sealed class SchemaTests
{
    private static readonly DateTimeOffset At = new(2026, 4, 1, 9, 0, 0, TimeSpan.FromHours(9));

    public static TheoryData<string> SchemaNames { get; } =
    [
        "availability", "info", "state", "verification", "alert", "eligibility-request", "simple-request", "mode-request", "response",
    ];

    private static JsonElement Schema(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "mqtt", "schemas", name + ".schema.json");
        Assert.True(File.Exists(path), $"{path} is missing; docs/mqtt/schemas is copied to the test output.");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.Clone();
    }

    private static void AssertValid(string schema, byte[] payload)
    {
        var errors = MiniJsonSchema.Validate(Schema(schema), JsonDocument.Parse(payload).RootElement);
        Assert.True(errors.Count == 0, $"{System.Text.Encoding.UTF8.GetString(payload)} against {schema}:\n{string.Join("\n", errors)}");
    }

    private static List<string> Errors(string schema, JsonNode payload) =>
        MiniJsonSchema.Validate(Schema(schema), JsonDocument.Parse(payload.ToJsonString()).RootElement);

    private static T Pick<T>(int i)
        where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        return values[i % values.Length];
    }

    private static VerificationPayload Verification(int i) => new(
        PayloadSchemas.Verification,
        Guid.NewGuid(),
        "terminal-1",
        At,
        At.AddSeconds(40),
        Pick<CardKind>(i),
        Pick<IdentityMethod>(i),
        new CertificatePayload("0A1B2C", At.AddYears(4), "JPKI user-auth CA", Pick<CertificateExpiry>(i), [0x30, 0x82, 0x01, 0x0A, (byte)i]),
        i % 2 == 0,
        new ConsentsPayload(Pick<ConsentMode>(i), i % 2 == 0 ? [] : [new ConsentDecisionPayload("treatment", true, At), new ConsentDecisionPayload("medication", false, At.AddSeconds(1))]),
        i % 3 == 2 ? null : Pick<PrescriptionForm>(i),
        i % 4 == 3 ? null : new FacePayload(Pick<FaceScoreBand>(i), i % 2 == 0, 1 + i));

    public static IEnumerable<(string Schema, byte[] Payload)> AllSamples()
    {
        yield return ("availability", ClinicLinkJson.Serialize(AvailabilityPayload.Online));
        yield return ("availability", ClinicLinkJson.Serialize(AvailabilityPayload.Offline));
        yield return ("info", ClinicLinkJson.Serialize(InfoPayload.Create("terminal-1", "1.2.3+abc", MqttClinicLink.Capabilities, Samples.Key.PublicJwk)));
        foreach (var phase in Enum.GetValues<SessionPhase>())
        {
            yield return ("state", ClinicLinkJson.Serialize(new StatePayload(PayloadSchemas.State, phase, Pick<TerminalMode>((int)phase), "ja", At)));
        }

        // What is published (and stored in the outbox) is the signed message.
        for (var i = 0; i < 12; i++)
        {
            yield return ("verification", Verification(i).Sign(Samples.Key));
        }

        yield return ("verification", VerificationPayload.From(Samples.FaceVerification(), "t-1").Sign(Samples.Key));
        yield return ("verification", VerificationPayload.From(Samples.PinVerificationInGrace(), "t-1").Sign(Samples.Key));
        foreach (var kind in Enum.GetValues<AlertKind>())
        {
            yield return ("alert", ClinicLinkJson.Serialize(AlertPayload.From(new TerminalAlert(kind, Guid.NewGuid(), At, "detail"), Guid.CreateVersion7())));
            yield return ("alert", ClinicLinkJson.Serialize(AlertPayload.From(new TerminalAlert(kind, null, At), Guid.CreateVersion7())));
        }

        foreach (var status in Enum.GetValues<EligibilityStatus>())
        {
            yield return ("eligibility-request", ClinicLinkJson.Serialize(new EligibilityRequestPayload(Guid.NewGuid(), status, "山田 太郎", ["お薬手帳をご用意ください"]) { Transaction = "tx-1" }));
            yield return ("eligibility-request", ClinicLinkJson.Serialize(new EligibilityRequestPayload(Guid.NewGuid(), status, null, [])));
        }

        yield return ("eligibility-request", ClinicLinkJson.Serialize(new EligibilityRequestPayload(Guid.NewGuid(), EligibilityStatus.Valid, null, []) { Token = "0123456789abcdef" }));
        yield return ("simple-request", ClinicLinkJson.Serialize(new SimpleRequestPayload()));
        yield return ("simple-request", ClinicLinkJson.Serialize(new SimpleRequestPayload { Transaction = "tx-2" }));
        yield return ("simple-request", ClinicLinkJson.Serialize(new SimpleRequestPayload { Transaction = "tx-2", Token = "0123456789abcdef" }));
        foreach (var mode in Enum.GetValues<TerminalMode>())
        {
            yield return ("mode-request", ClinicLinkJson.Serialize(new ModeRequestPayload(mode)));
            yield return ("mode-request", ClinicLinkJson.Serialize(new ModeRequestPayload(mode) { Transaction = "tx-5", Token = "0123456789abcdef" }));
        }

        yield return ("response", ClinicLinkJson.Serialize(ResponsePayload.Success(null)));
        yield return ("response", ClinicLinkJson.Serialize(ResponsePayload.Success("tx-3")));
        yield return ("response", ClinicLinkJson.Serialize(ResponsePayload.Failure("'status' is missing", "tx-4")));
        foreach (var phase in Enum.GetValues<SessionPhase>())
        {
            yield return ("response", ClinicLinkJson.Serialize(ResponsePayload.Success("tx-6") with { Mode = Pick<TerminalMode>((int)phase), Phase = phase }));
        }

        yield return ("response", ClinicLinkJson.Serialize(ResponsePayload.Failure("self-test failed: display", null) with
        {
            Mode = TerminalMode.Automatic,
            Phase = SessionPhase.Idle,
            Checks = [new SelfTestCheckPayload("cardReader", true, "watching"), new SelfTestCheckPayload("display", false, "no panel")],
        }));
    }

    [Fact]
    public void Every_payload_the_terminal_writes_matches_its_schema()
    {
        var samples = AllSamples().ToList();
        Assert.Equal(SchemaNames.Select(n => (string)n.Data).Order(), samples.Select(s => s.Schema).Distinct().Order());
        foreach (var (schema, payload) in samples)
        {
            AssertValid(schema, payload);
        }
    }

    [Fact]
    public void The_asyncapi_document_references_every_schema_and_only_existing_ones()
    {
        var asyncApi = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "mqtt", "asyncapi.yaml"));
        var referenced = System.Text.RegularExpressions.Regex.Matches(asyncApi, @"\./schemas/([a-z-]+)\.schema\.json")
            .Select(m => m.Groups[1].Value)
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(SchemaNames.Select(n => (string)n.Data).Order(StringComparer.Ordinal), referenced);
        foreach (var name in MqttTopics.Requests.All)
        {
            Assert.Contains(name, asyncApi, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(SchemaNames))]
    public void Every_schema_is_a_2020_12_object_schema_that_refuses_unknown_fields(string name)
    {
        var schema = Schema(name);
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", schema.GetProperty("$schema").GetString());
        Assert.Equal("object", schema.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.False, schema.GetProperty("additionalProperties").ValueKind);
    }

    [Fact]
    public void The_schemas_declare_exactly_the_properties_of_the_payload_records()
    {
        var context = ClinicLinkJsonContext.Default;
        AssertSameProperties("availability", null, context.AvailabilityPayload);
        AssertSameProperties("info", null, context.InfoPayload);
        AssertSameProperties("info", "deviceKey", context.DeviceKeyJwk);
        AssertSameProperties("mode-request", null, context.ModeRequestPayload);
        AssertSameProperties("state", null, context.StatePayload);
        AssertSameProperties("verification", null, context.VerificationPayload, VerificationSignature.MemberName);
        AssertSameProperties("verification", "certificate", context.CertificatePayload);
        AssertSameProperties("verification", "consents", context.ConsentsPayload);
        AssertSameProperties("verification", "face", context.FacePayload);
        AssertSameProperties("alert", null, context.AlertPayload);
        AssertSameProperties("eligibility-request", null, context.EligibilityRequestPayload);
        AssertSameProperties("simple-request", null, context.SimpleRequestPayload);
        AssertSameProperties("response", null, context.ResponsePayload);

        var decisions = Schema("verification").GetProperty("properties").GetProperty("consents").GetProperty("properties").GetProperty("decisions").GetProperty("items");
        Assert.Equal(context.ConsentDecisionPayload.Properties.Select(p => p.Name).Order(), decisions.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        var checks = Schema("response").GetProperty("properties").GetProperty("checks").GetProperty("items");
        Assert.Equal(context.SelfTestCheckPayload.Properties.Select(p => p.Name).Order(), checks.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public void The_schema_enums_list_every_enum_value_and_no_other()
    {
        AssertEnum<SessionPhase>("state", "phase");
        AssertEnum<SessionPhase>("response", "phase");
        AssertEnum<TerminalMode>("state", "mode");
        AssertEnum<TerminalMode>("mode-request", "mode");
        AssertEnum<TerminalMode>("response", "mode");
        AssertEnum<CardKind>("verification", "cardKind");
        AssertEnum<IdentityMethod>("verification", "method");
        AssertEnum<CertificateExpiry>("verification", "certificate", "expiry");
        AssertEnum<ConsentMode>("verification", "consents", "mode");
        AssertEnum<PrescriptionForm>("verification", "prescriptionForm");
        AssertEnum<FaceScoreBand>("verification", "face", "band");
        AssertEnum<AlertKind>("alert", "kind");
        AssertEnum<EligibilityStatus>("eligibility-request", "status");
    }

    [Fact]
    public void A_field_the_schema_lacks_or_a_missing_required_field_or_a_wrong_value_is_caught()
    {
        var valid = JsonNode.Parse(Verification(1).Sign(Samples.Key))!;
        Assert.Empty(Errors("verification", valid));

        var unsigned = JsonNode.Parse(ClinicLinkJson.Serialize(Verification(1)))!;
        Assert.Contains(Errors("verification", unsigned), e => e.Contains("'signature'", StringComparison.Ordinal));

        var extra = valid.DeepClone();
        extra["patientName"] = "山田 太郎";
        Assert.Contains(Errors("verification", extra), e => e.Contains("patientName", StringComparison.Ordinal));

        var nestedExtra = valid.DeepClone();
        nestedExtra["certificate"]!["myNumber"] = "123456789012";
        Assert.Contains(Errors("verification", nestedExtra), e => e.Contains("myNumber", StringComparison.Ordinal));

        var missing = valid.DeepClone();
        missing.AsObject().Remove("id");
        Assert.Contains(Errors("verification", missing), e => e.Contains("'id'", StringComparison.Ordinal));

        var missingNested = valid.DeepClone();
        missingNested["certificate"]!.AsObject().Remove("der");
        Assert.NotEmpty(Errors("verification", missingNested));

        var badEnum = valid.DeepClone();
        badEnum["cardKind"] = "Card";
        Assert.NotEmpty(Errors("verification", badEnum));

        var badTime = valid.DeepClone();
        badTime["completedAt"] = "2026-04-01 09:00";
        Assert.NotEmpty(Errors("verification", badTime));

        var badId = valid.DeepClone();
        badId["id"] = "not-a-uuid";
        Assert.NotEmpty(Errors("verification", badId));

        var badSchema = valid.DeepClone();
        badSchema["schema"] = "mynaterm.verification/2";
        Assert.NotEmpty(Errors("verification", badSchema));

        Assert.NotEmpty(Errors("response", JsonNode.Parse("""{"schema":"mynaterm.response/1"}""")!));
        Assert.NotEmpty(Errors("availability", JsonNode.Parse("""{"state":"away"}""")!));
        Assert.Empty(Errors("simple-request", JsonNode.Parse("{}")!));
        Assert.Empty(Errors("eligibility-request", JsonNode.Parse("""{"verificationId":"0196f0c4-1c2b-7a3e-9d4f-0123456789ab","status":"valid"}""")!));
    }

    private static void AssertSameProperties(string schema, string? nested, JsonTypeInfo typeInfo, params string[] addedOnTheWire)
    {
        var element = Schema(schema);
        if (nested is not null)
        {
            element = element.GetProperty("properties").GetProperty(nested);
        }

        Assert.Equal(
            typeInfo.Properties.Select(p => p.Name).Concat(addedOnTheWire).Order(StringComparer.Ordinal),
            element.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    private static void AssertEnum<T>(string schema, params string[] path)
        where T : struct, Enum
    {
        var element = Schema(schema);
        foreach (var name in path)
        {
            element = element.GetProperty("properties").GetProperty(name);
        }

        var inSchema = element.GetProperty("enum").EnumerateArray()
            .Where(e => e.ValueKind != JsonValueKind.Null)
            .Select(e => e.GetString()!)
            .Order(StringComparer.Ordinal);
        var written = Enum.GetValues<T>()
            .Select(v => JsonSerializer.Serialize(v, (JsonTypeInfo<T>)ClinicLinkJsonContext.Default.GetTypeInfo(typeof(T))!).Trim('"'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(written, inSchema);
    }
}
