using System.Text;
using System.Text.Json;
using MynaTerminal.ClinicLink.Tests.Support;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink.Tests;

public sealed class PayloadTests
{
    private static JsonElement Json(byte[] utf8) => JsonDocument.Parse(utf8).RootElement.Clone();

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    [Fact]
    public void Verification_has_exactly_the_contract_fields_in_order()
    {
        var result = Samples.FaceVerification(Guid.Parse("0196a1b2-0000-7000-8000-000000000001"));

        var json = Json(ClinicLinkJson.Serialize(VerificationPayload.From(result, "terminal-1")));

        Assert.Equal(
            ["schema", "id", "terminalId", "startedAt", "completedAt", "cardKind", "method", "certificate",
             "medicalInformationShared", "consents", "prescriptionForm", "face"],
            Names(json));
        Assert.Equal(["serialNumber", "notAfter", "issuer", "expiry", "der"], Names(json.GetProperty("certificate")));
        Assert.Equal(["mode", "decisions"], Names(json.GetProperty("consents")));
        Assert.Equal(["category", "agreed", "at"], Names(json.GetProperty("consents").GetProperty("decisions")[0]));
        Assert.Equal(["band", "liveness", "attempts"], Names(json.GetProperty("face")));
    }

    [Fact]
    public void Verification_values_are_camel_case_strings_iso_times_and_base64()
    {
        var result = Samples.FaceVerification(Guid.Parse("0196a1b2-0000-7000-8000-000000000001"));

        var json = Json(ClinicLinkJson.Serialize(VerificationPayload.From(result, "terminal-1")));

        Assert.Equal("mynaterm.verification/1", json.GetProperty("schema").GetString());
        Assert.Equal("0196a1b2-0000-7000-8000-000000000001", json.GetProperty("id").GetString());
        Assert.Equal("terminal-1", json.GetProperty("terminalId").GetString());
        Assert.Equal("2026-04-01T09:00:00+09:00", json.GetProperty("startedAt").GetString());
        Assert.Equal("2026-04-01T09:00:45+09:00", json.GetProperty("completedAt").GetString());
        Assert.Equal("card", json.GetProperty("cardKind").GetString());
        Assert.Equal("face", json.GetProperty("method").GetString());
        var certificate = json.GetProperty("certificate");
        Assert.Equal("0A1B2C3D", certificate.GetProperty("serialNumber").GetString());
        Assert.Equal("2030-03-31T23:59:59+09:00", certificate.GetProperty("notAfter").GetString());
        Assert.Equal("JPKI user-auth CA", certificate.GetProperty("issuer").GetString());
        Assert.Equal("valid", certificate.GetProperty("expiry").GetString());
        Assert.Equal("MIIBCg==", certificate.GetProperty("der").GetString());
        Assert.True(json.GetProperty("medicalInformationShared").GetBoolean());
        var consents = json.GetProperty("consents");
        Assert.Equal("individual", consents.GetProperty("mode").GetString());
        var first = consents.GetProperty("decisions")[0];
        Assert.Equal("treatment", first.GetProperty("category").GetString());
        Assert.True(first.GetProperty("agreed").GetBoolean());
        Assert.Equal("2026-04-01T09:00:30+09:00", first.GetProperty("at").GetString());
        Assert.False(consents.GetProperty("decisions")[1].GetProperty("agreed").GetBoolean());
        Assert.Equal("electronic", json.GetProperty("prescriptionForm").GetString());
        var face = json.GetProperty("face");
        Assert.Equal("high", face.GetProperty("band").GetString());
        Assert.True(face.GetProperty("liveness").GetBoolean());
        Assert.Equal(1, face.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public void Verification_without_face_or_prescription_writes_nulls_and_no_medical_sharing_in_grace()
    {
        var json = Json(ClinicLinkJson.Serialize(VerificationPayload.From(Samples.PinVerificationInGrace(), "t")));

        Assert.Equal(JsonValueKind.Null, json.GetProperty("face").ValueKind);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("prescriptionForm").ValueKind);
        Assert.Equal("pin", json.GetProperty("method").GetString());
        Assert.Equal("iPhone", json.GetProperty("cardKind").GetString());
        Assert.Equal("expiredInGrace", json.GetProperty("certificate").GetProperty("expiry").GetString());
        Assert.Equal("notAsked", json.GetProperty("consents").GetProperty("mode").GetString());
        Assert.Equal(0, json.GetProperty("consents").GetProperty("decisions").GetArrayLength());
        Assert.False(json.GetProperty("medicalInformationShared").GetBoolean());
        Assert.Equal("2026-02-01T00:00:00+00:00", json.GetProperty("certificate").GetProperty("notAfter").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Verification_round_trips_through_the_json_context(bool withFace)
    {
        var result = withFace ? Samples.FaceVerification() : Samples.PinVerificationInGrace();
        var bytes = ClinicLinkJson.Serialize(VerificationPayload.From(result, "terminal-1"));

        var back = JsonSerializer.Deserialize(bytes, ClinicLinkJsonContext.Default.VerificationPayload);

        Assert.NotNull(back);
        Assert.Equal(result.Id, back.Id);
        Assert.Equal(result.StartedAt, back.StartedAt);
        Assert.Equal(result.StartedAt.Offset, back.StartedAt.Offset);
        Assert.Equal(result.CardKind, back.CardKind);
        Assert.Equal(result.Method, back.Method);
        Assert.Equal(result.Certificate.Der.ToArray(), back.Certificate.Der);
        Assert.Equal(result.Expiry, back.Certificate.Expiry);
        Assert.Equal(result.Consents.Mode, back.Consents.Mode);
        Assert.Equal(result.Consents.Decisions.Select(d => (d.CategoryId, d.Agreed, d.At)), back.Consents.Decisions.Select(d => (d.Category, d.Agreed, d.At)));
        Assert.Equal(result.PrescriptionForm, back.PrescriptionForm);
        Assert.Equal(result.Face?.Band, back.Face?.Band);
        Assert.Equal(bytes, ClinicLinkJson.Serialize(back));
    }

    [Fact]
    public void No_payload_carries_a_forbidden_field()
    {
        string[] forbidden = ["mynumber", "individualnumber", "pin", "password", "image", "photo", "picture", "embedding", "score", "name", "birth", "address", "gender", "sex"];
        var payloads = new[]
        {
            ClinicLinkJson.Serialize(VerificationPayload.From(Samples.FaceVerification(), "t")),
            ClinicLinkJson.Serialize(VerificationPayload.From(Samples.PinVerificationInGrace(), "t")),
            ClinicLinkJson.Serialize(StatePayload.From(new TerminalState(SessionPhase.Pin, "ja", Samples.Start))),
            ClinicLinkJson.Serialize(AlertPayload.From(new TerminalAlert(AlertKind.PinBlocked, Guid.NewGuid(), Samples.Start), Guid.NewGuid())),
            ClinicLinkJson.Serialize(AvailabilityPayload.Online),
            ClinicLinkJson.Serialize(InfoPayload.Create("t", "1.0", MqttClinicLink.Capabilities, Samples.Key.PublicJwk)),
        };

        foreach (var payload in payloads)
        {
            foreach (var name in AllPropertyNames(Json(payload)))
            {
                Assert.DoesNotContain(forbidden, f => name.Contains(f, StringComparison.OrdinalIgnoreCase));
            }
        }

        static IEnumerable<string> AllPropertyNames(JsonElement element) => element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().SelectMany(p => AllPropertyNames(p.Value).Prepend(p.Name)),
            JsonValueKind.Array => element.EnumerateArray().SelectMany(AllPropertyNames),
            _ => [],
        };
    }

    [Fact]
    public void State_payload_is_schema_phase_mode_language_at()
    {
        var bytes = ClinicLinkJson.Serialize(StatePayload.From(new TerminalState(SessionPhase.MethodChoice, "ja", Samples.Start)));

        Assert.Equal(
            """{"schema":"mynaterm.state/1","phase":"methodChoice","mode":"automatic","language":"ja","at":"2026-04-01T09:00:00+09:00"}""",
            Encoding.UTF8.GetString(bytes));
        Assert.Contains(
            "\"phase\":\"outOfService\",\"mode\":\"outOfService\"",
            Encoding.UTF8.GetString(ClinicLinkJson.Serialize(StatePayload.From(new TerminalState(SessionPhase.OutOfService, "ja", Samples.Start), TerminalMode.OutOfService))),
            StringComparison.Ordinal);
    }

    [Fact]
    public void Availability_payloads_are_plain_state_objects()
    {
        Assert.Equal("""{"state":"online"}""", Encoding.UTF8.GetString(ClinicLinkJson.Serialize(AvailabilityPayload.Online)));
        Assert.Equal("""{"state":"offline"}""", Encoding.UTF8.GetString(ClinicLinkJson.Serialize(AvailabilityPayload.Offline)));
    }

    [Fact]
    public void Alert_payload_has_the_contract_fields()
    {
        var alertId = Guid.Parse("0196a1b2-0000-7000-8000-00000000000a");
        var sessionId = Guid.Parse("0196a1b2-0000-7000-8000-00000000000b");

        var bytes = ClinicLinkJson.Serialize(AlertPayload.From(new TerminalAlert(AlertKind.HelpRequested, sessionId, Samples.Start, "button"), alertId));

        Assert.Equal(
            """{"schema":"mynaterm.alert/1","id":"0196a1b2-0000-7000-8000-00000000000a","kind":"helpRequested","sessionId":"0196a1b2-0000-7000-8000-00000000000b","at":"2026-04-01T09:00:00+09:00","detail":"button"}""",
            Encoding.UTF8.GetString(bytes));
        var withoutSession = Json(ClinicLinkJson.Serialize(AlertPayload.From(new TerminalAlert(AlertKind.DeviceFault, null, Samples.Start), alertId)));
        Assert.Equal(JsonValueKind.Null, withoutSession.GetProperty("sessionId").ValueKind);
        Assert.Equal(JsonValueKind.Null, withoutSession.GetProperty("detail").ValueKind);
    }

    [Fact]
    public void Info_payload_names_version_capabilities_and_the_public_device_key()
    {
        var json = Json(ClinicLinkJson.Serialize(InfoPayload.Create("terminal-1", "0.1.0", MqttClinicLink.Capabilities, Samples.Key.PublicJwk)));

        Assert.Equal(["schema", "terminalId", "version", "capabilities", "deviceKey"], Names(json));
        Assert.Equal("mynaterm.info/1", json.GetProperty("schema").GetString());
        var capabilities = json.GetProperty("capabilities").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("event/verification", capabilities);
        Assert.Contains("request/eligibility", capabilities);
        Assert.Contains("request/staff-visual", capabilities);
        Assert.Contains("request/mode", capabilities);
        Assert.Contains("request/selftest", capabilities);
        Assert.Contains("verification-signature-es256", capabilities);

        var key = json.GetProperty("deviceKey");
        Assert.Equal(["kty", "crv", "x", "y", "kid", "alg", "use"], Names(key));
        Assert.Equal("EC", key.GetProperty("kty").GetString());
        Assert.Equal("P-256", key.GetProperty("crv").GetString());
        Assert.Equal(Samples.Key.KeyId, key.GetProperty("kid").GetString());
        Assert.DoesNotContain("\"d\"", json.GetRawText(), StringComparison.Ordinal); // never the private part
    }

    [Fact]
    public void Responses_omit_error_and_transaction_when_absent()
    {
        Assert.Equal("""{"schema":"mynaterm.response/1","ok":true}""", Encoding.UTF8.GetString(ClinicLinkJson.Serialize(ResponsePayload.Success(null))));
        Assert.Equal(
            """{"schema":"mynaterm.response/1","ok":false,"error":"bad","transaction":"t-1"}""",
            Encoding.UTF8.GetString(ClinicLinkJson.Serialize(ResponsePayload.Failure("bad", "t-1"))));
    }

    [Fact]
    public void Eligibility_request_payload_serializes_to_what_the_parser_accepts()
    {
        var answer = new EligibilityAnswer(Guid.NewGuid(), EligibilityStatus.NotFound, "山田 太郎", ["資格情報のお知らせをご提示ください"]);
        var bytes = ClinicLinkJson.Serialize(EligibilityRequestPayload.From(answer, "tx-9"));

        var json = Json(bytes);
        Assert.Equal(["verificationId", "status", "greetingName", "notices", "schema", "transaction"], Names(json));
        Assert.Equal("notFound", json.GetProperty("status").GetString());

        var parsed = ClinicRequestParser.Parse(MqttTopics.Requests.Eligibility, bytes);
        var command = Assert.IsType<ClinicCommand.Eligibility>(parsed.Command);
        Assert.Equal(answer.VerificationId, command.Answer.VerificationId);
        Assert.Equal(answer.Status, command.Answer.Status);
        Assert.Equal(answer.GreetingName, command.Answer.GreetingName);
        Assert.Equal(answer.Notices, command.Answer.Notices);
        Assert.Equal("tx-9", parsed.Transaction);
    }

    [Fact]
    public void Reading_a_payload_with_a_missing_required_field_or_numeric_enum_fails()
    {
        var missingId = """{"schema":"mynaterm.state/1","language":"ja","at":"2026-04-01T09:00:00+09:00"}""";
        var numericEnum = """{"schema":"mynaterm.state/1","phase":3,"language":"ja","at":"2026-04-01T09:00:00+09:00"}""";

        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(missingId, ClinicLinkJsonContext.Default.StatePayload));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(numericEnum, ClinicLinkJsonContext.Default.StatePayload));
    }
}
