using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink;

// The clinic MQTT contract: every payload the terminal publishes or accepts, typed in one file
// (as zigbee2mqtt does in lib/types/api.ts). JSON is camelCase, enums are camelCase strings, times are
// ISO-8601 with an offset, and every payload but availability carries a "schema" with a version.
//
// Never in any payload: the My Number, a PIN, a face image or an embedding, a face score.

/// <summary>Schema identifiers (<c>family/version</c>) carried in the <c>schema</c> field.</summary>
public static class PayloadSchemas
{
    public const string Verification = "mynaterm.verification/1";
    public const string State = "mynaterm.state/1";
    public const string Alert = "mynaterm.alert/1";
    public const string Info = "mynaterm.info/1";
    public const string Eligibility = "mynaterm.eligibility/1";
    /// <summary>Requests without a body of their own (cancel, staff-visual, staff-resume, selftest).</summary>
    public const string Request = "mynaterm.request/1";
    /// <summary>The <c>mode</c> request.</summary>
    public const string Mode = "mynaterm.mode/1";
    public const string Response = "mynaterm.response/1";
}

/// <summary>Retained on <c>availability</c>: <c>{"state":"online"}</c>, or <c>{"state":"offline"}</c> (also the Last Will).</summary>
public sealed record AvailabilityPayload(string State)
{
    public const string OnlineState = "online";
    public const string OfflineState = "offline";

    public static AvailabilityPayload Online { get; } = new(OnlineState);

    public static AvailabilityPayload Offline { get; } = new(OfflineState);
}

/// <summary>
/// Retained on <c>info</c>: who this terminal is, what it understands, and the public device key that signs its
/// verifications (<see cref="VerificationSignature"/>).
/// </summary>
public sealed record InfoPayload(string Schema, string TerminalId, string Version, IReadOnlyList<string> Capabilities, DeviceKeyJwk DeviceKey)
{
    public static InfoPayload Create(string terminalId, string version, IReadOnlyList<string> capabilities, DeviceKeyJwk deviceKey) =>
        new(PayloadSchemas.Info, terminalId, version, capabilities, deviceKey);
}

/// <summary>Retained on <c>state</c>: the session phase and the terminal's mode, never personal data.</summary>
public sealed record StatePayload(string Schema, SessionPhase Phase, TerminalMode Mode, string Language, DateTimeOffset At)
{
    public static StatePayload From(TerminalState state, TerminalMode mode = TerminalMode.Automatic)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new(PayloadSchemas.State, state.Phase, mode, state.Language, state.At);
    }
}

/// <summary>
/// On <c>event/verification</c>: a finished verification. The clinic de-duplicates on <see cref="Id"/>. The
/// published message is this record serialized and signed: <see cref="VerificationSignature"/> appends a
/// <c>signature</c> member (see <see cref="Sign"/>).
/// </summary>
public sealed record VerificationPayload(
    string Schema,
    Guid Id,
    string TerminalId,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    CardKind CardKind,
    IdentityMethod Method,
    CertificatePayload Certificate,
    bool MedicalInformationShared,
    ConsentsPayload Consents,
    PrescriptionForm? PrescriptionForm,
    FacePayload? Face)
{
    public static VerificationPayload From(VerificationResult result, string terminalId)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentException.ThrowIfNullOrEmpty(terminalId);
        var certificate = result.Certificate;
        return new(
            PayloadSchemas.Verification,
            result.Id,
            terminalId,
            result.StartedAt,
            result.CompletedAt,
            result.CardKind,
            result.Method,
            new CertificatePayload(
                certificate.SerialNumberHex,
                certificate.NotAfter,
                certificate.Issuer,
                result.Expiry,
                certificate.Der.ToArray()),
            result.MedicalInformationShared,
            new ConsentsPayload(
                result.Consents.Mode,
                [.. result.Consents.Decisions.Select(d => new ConsentDecisionPayload(d.CategoryId, d.Agreed, d.At))]),
            result.PrescriptionForm,
            result.Face is { } face ? new FacePayload(face.Band, face.LivenessPassed, face.Attempts) : null);
    }

    /// <summary>The message as published and stored in the outbox: the serialized payload with its signature appended.</summary>
    public byte[] Sign(DeviceKey key) => VerificationSignature.Attach(ClinicLinkJson.Serialize(this), key);
}

/// <summary>The user-auth certificate: the key of the clinic's eligibility query. <see cref="Der"/> is base64 in JSON.</summary>
public sealed record CertificatePayload(string SerialNumber, DateTimeOffset NotAfter, string Issuer, CertificateExpiry Expiry, byte[] Der);

public sealed record ConsentsPayload(ConsentMode Mode, IReadOnlyList<ConsentDecisionPayload> Decisions);

public sealed record ConsentDecisionPayload(string Category, bool Agreed, DateTimeOffset At);

/// <summary>Face evidence: a score band and the liveness verdict, never the score, image or embedding.</summary>
public sealed record FacePayload(FaceScoreBand Band, bool Liveness, int Attempts);

/// <summary>On <c>event/alert</c>: something staff should look at. <see cref="Id"/> is new for every alert.</summary>
public sealed record AlertPayload(string Schema, Guid Id, AlertKind Kind, Guid? SessionId, DateTimeOffset At, string? Detail)
{
    public static AlertPayload From(TerminalAlert alert, Guid id)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return new(PayloadSchemas.Alert, id, alert.Kind, alert.SessionId, alert.At, alert.Detail);
    }
}

/// <summary>
/// What a clinic system sends on <c>request/eligibility</c>. The terminal parses it strictly with
/// <see cref="ClinicRequestParser"/>; this record is for senders (simulator, tests, clinic-side code).
/// </summary>
public sealed record EligibilityRequestPayload(
    Guid VerificationId,
    EligibilityStatus Status,
    string? GreetingName,
    IReadOnlyList<string> Notices)
{
    public string? Schema { get; init; } = PayloadSchemas.Eligibility;

    /// <summary>Echoed in the response; for MQTT 3.1.1 clients, which have no correlation data.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Transaction { get; init; }

    /// <summary>The shared request token, when the terminal requires one (<see cref="ClinicLinkOptions.RequestToken"/>).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Token { get; init; }

    public static EligibilityRequestPayload From(EligibilityAnswer answer, string? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return new(answer.VerificationId, answer.Status, answer.GreetingName, answer.Notices) { Transaction = transaction };
    }
}

/// <summary>
/// Body of requests that carry nothing but an optional transaction and token (cancel, staff-visual, staff-resume,
/// selftest). An empty payload is fine too, unless the terminal requires a token.
/// </summary>
public sealed record SimpleRequestPayload
{
    public string? Schema { get; init; } = PayloadSchemas.Request;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Transaction { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Token { get; init; }
}

/// <summary>What a clinic system sends on <c>request/mode</c>: the <see cref="TerminalMode"/> to switch to.</summary>
public sealed record ModeRequestPayload(TerminalMode Mode)
{
    public string? Schema { get; init; } = PayloadSchemas.Mode;

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Transaction { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Token { get; init; }
}

/// <summary>One check of a self-test in a response.</summary>
public sealed record SelfTestCheckPayload(string Name, bool Ok, string Detail);

/// <summary>
/// On <c>response/&lt;name&gt;</c> (or the MQTT 5 response topic): <c>{"ok":true}</c> or <c>{"ok":false,"error":"..."}</c>.
/// <c>mode</c> answers carry the <see cref="Mode"/> now set and the <see cref="Phase"/>; <c>selftest</c> answers
/// carry them and the <see cref="Checks"/> (<see cref="Ok"/> is then true only when every check passed).
/// </summary>
public sealed record ResponsePayload(
    string Schema,
    bool Ok,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Transaction)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TerminalMode? Mode { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SessionPhase? Phase { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<SelfTestCheckPayload>? Checks { get; init; }

    public static ResponsePayload Success(string? transaction) => new(PayloadSchemas.Response, true, null, transaction);

    public static ResponsePayload Failure(string error, string? transaction) => new(PayloadSchemas.Response, false, error, transaction);
}

/// <summary>Enums as camelCase strings; numbers are refused when reading.</summary>
public sealed class CamelCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public CamelCaseEnumConverter()
        : base(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    {
    }
}

/// <summary>Source-generated JSON metadata for every payload of the clinic contract.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.Strict,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    Converters =
    [
        typeof(CamelCaseEnumConverter<CardKind>),
        typeof(CamelCaseEnumConverter<IdentityMethod>),
        typeof(CamelCaseEnumConverter<CertificateExpiry>),
        typeof(CamelCaseEnumConverter<ConsentMode>),
        typeof(CamelCaseEnumConverter<PrescriptionForm>),
        typeof(CamelCaseEnumConverter<FaceScoreBand>),
        typeof(CamelCaseEnumConverter<AlertKind>),
        typeof(CamelCaseEnumConverter<SessionPhase>),
        typeof(CamelCaseEnumConverter<EligibilityStatus>),
        typeof(CamelCaseEnumConverter<TerminalMode>),
    ])]
[JsonSerializable(typeof(AvailabilityPayload))]
[JsonSerializable(typeof(InfoPayload))]
[JsonSerializable(typeof(StatePayload))]
[JsonSerializable(typeof(VerificationPayload))]
[JsonSerializable(typeof(AlertPayload))]
[JsonSerializable(typeof(EligibilityRequestPayload))]
[JsonSerializable(typeof(SimpleRequestPayload))]
[JsonSerializable(typeof(ModeRequestPayload))]
[JsonSerializable(typeof(ResponsePayload))]
public sealed partial class ClinicLinkJsonContext : JsonSerializerContext;

/// <summary>UTF-8 JSON helpers over <see cref="ClinicLinkJsonContext"/>.</summary>
public static class ClinicLinkJson
{
    public static byte[] Serialize<T>(T value, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);

    public static byte[] Serialize(AvailabilityPayload value) => Serialize(value, ClinicLinkJsonContext.Default.AvailabilityPayload);

    public static byte[] Serialize(InfoPayload value) => Serialize(value, ClinicLinkJsonContext.Default.InfoPayload);

    public static byte[] Serialize(StatePayload value) => Serialize(value, ClinicLinkJsonContext.Default.StatePayload);

    public static byte[] Serialize(VerificationPayload value) => Serialize(value, ClinicLinkJsonContext.Default.VerificationPayload);

    public static byte[] Serialize(AlertPayload value) => Serialize(value, ClinicLinkJsonContext.Default.AlertPayload);

    public static byte[] Serialize(EligibilityRequestPayload value) => Serialize(value, ClinicLinkJsonContext.Default.EligibilityRequestPayload);

    public static byte[] Serialize(SimpleRequestPayload value) => Serialize(value, ClinicLinkJsonContext.Default.SimpleRequestPayload);

    public static byte[] Serialize(ModeRequestPayload value) => Serialize(value, ClinicLinkJsonContext.Default.ModeRequestPayload);

    public static byte[] Serialize(ResponsePayload value) => Serialize(value, ClinicLinkJsonContext.Default.ResponsePayload);
}
