using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// The outcome of parsing one request: a command for the session (<see cref="Command"/>), a request that needs
/// the session loop's answer (<see cref="Control"/>), or an error for the response. <see cref="Transaction"/>
/// is echoed in the response whenever it could be read, also with an error.
/// </summary>
public sealed record ClinicRequestResult(ClinicCommand? Command, string? Error, string? Transaction)
{
    /// <summary>Set for <c>mode</c> and <c>selftest</c>.</summary>
    public ClinicControl? Control { get; init; }

    public bool IsOk => Error is null && (Command is not null || Control is not null);

    internal static ClinicRequestResult Ok(ClinicCommand command, string? transaction) => new(command, null, transaction);

    internal static ClinicRequestResult Ok(ClinicControl control, string? transaction) => new(null, null, transaction) { Control = control };

    internal static ClinicRequestResult Fail(string error, string? transaction = null) => new(null, error, transaction);
}

/// <summary>
/// Strict, exception-free parsing of <c>request/&lt;name&gt;</c> payloads into <see cref="ClinicCommand"/>s and
/// <see cref="ClinicControl"/>s. Anything unexpected (malformed JSON, duplicate keys, missing or mistyped fields,
/// an unknown schema, oversized text, a missing or wrong token when one is required) becomes an error result
/// with a short reason, never an exception. Unknown extra properties are ignored, so newer clinic software can
/// add fields.
/// </summary>
public static class ClinicRequestParser
{
    /// <summary>The error of a request without the right <c>token</c>.</summary>
    public const string UnauthorisedError = "unauthorised: the request needs the terminal's request token in 'token'";

    /// <summary>Payloads above this size are refused before parsing.</summary>
    public const int MaxPayloadBytes = 64 * 1024;

    public const int MaxTransactionLength = 128;
    public const int MaxGreetingNameLength = 100;
    public const int MaxNotices = 20;
    public const int MaxNoticeLength = 500;

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = 8,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    public static ClinicRequestResult Parse(string name, ReadOnlyMemory<byte> payload, string? requiredToken = null) =>
        Parse(name, new ReadOnlySequence<byte>(payload), requiredToken);

    /// <param name="name">The request name (the topic level after <c>request/</c>).</param>
    /// <param name="payload">The message payload.</param>
    /// <param name="requiredToken">When set, the request must carry it in <c>token</c> (compared in constant time).</param>
    public static ClinicRequestResult Parse(string name, ReadOnlySequence<byte> payload, string? requiredToken = null)
    {
        if (payload.Length > MaxPayloadBytes)
        {
            return ClinicRequestResult.Fail($"payload too large (more than {MaxPayloadBytes} bytes)");
        }

        // Some senders (Encoding.UTF8 with a preamble) start with a byte order mark; the JSON reader does not skip it.
        if (payload.Length >= 3 && payload.Slice(0, 3).ToArray() is [0xEF, 0xBB, 0xBF])
        {
            payload = payload.Slice(3);
        }

        switch (name)
        {
            case MqttTopics.Requests.Eligibility:
                return ParseEligibility(payload, requiredToken);
            case MqttTopics.Requests.Cancel:
                return ParseSimple(payload, requiredToken, t => ClinicRequestResult.Ok(new ClinicCommand.Cancel(), t));
            case MqttTopics.Requests.StaffVisual:
                return ParseSimple(payload, requiredToken, t => ClinicRequestResult.Ok(new ClinicCommand.StaffVisualApproval(), t));
            case MqttTopics.Requests.StaffResume:
                return ParseSimple(payload, requiredToken, t => ClinicRequestResult.Ok(new ClinicCommand.StaffResume(), t));
            case MqttTopics.Requests.SelfTest:
                return ParseSimple(payload, requiredToken, t => ClinicRequestResult.Ok(new ClinicControl.SelfTest(), t));
            case MqttTopics.Requests.Mode:
                return ParseMode(payload, requiredToken);
            default:
                var shown = MqttTopics.IsValidRequestName(name) ? name : "?";
                return ClinicRequestResult.Fail(
                    $"unknown request '{shown}'; known: {string.Join(", ", MqttTopics.Requests.All)}");
        }
    }

    private static ClinicRequestResult ParseSimple(ReadOnlySequence<byte> payload, string? requiredToken, Func<string?, ClinicRequestResult> ok)
    {
        if (payload.IsEmpty)
        {
            return requiredToken is null ? ok(null) : ClinicRequestResult.Fail(UnauthorisedError);
        }

        return WithObject(payload, PayloadSchemas.Request, requiredToken, (root, transaction) => ok(transaction));
    }

    private static ClinicRequestResult ParseMode(ReadOnlySequence<byte> payload, string? requiredToken)
    {
        if (payload.IsEmpty)
        {
            return ClinicRequestResult.Fail(requiredToken is null ? "empty payload; a mode request is a JSON object with 'mode'" : UnauthorisedError);
        }

        return WithObject(payload, PayloadSchemas.Mode, requiredToken, static (root, transaction) =>
        {
            if (!root.TryGetProperty("mode", out var modeElement))
            {
                return ClinicRequestResult.Fail("missing field 'mode'", transaction);
            }

            TerminalMode? mode = modeElement.ValueKind == JsonValueKind.String
                ? modeElement.GetString() switch
                {
                    "automatic" => TerminalMode.Automatic,
                    "staff" => TerminalMode.Staff,
                    "outOfService" => TerminalMode.OutOfService,
                    _ => null,
                }
                : null;
            return mode is { } m
                ? ClinicRequestResult.Ok(new ClinicControl.SetMode(m), transaction)
                : ClinicRequestResult.Fail("'mode' must be one of \"automatic\", \"staff\", \"outOfService\"", transaction);
        });
    }

    private static ClinicRequestResult ParseEligibility(ReadOnlySequence<byte> payload, string? requiredToken)
    {
        if (payload.IsEmpty)
        {
            return ClinicRequestResult.Fail(requiredToken is null ? "empty payload; an eligibility answer is a JSON object" : UnauthorisedError);
        }

        return WithObject(payload, PayloadSchemas.Eligibility, requiredToken, static (root, transaction) =>
        {
            ClinicRequestResult Fail(string error) => ClinicRequestResult.Fail(error, transaction);

            if (!root.TryGetProperty("verificationId", out var idElement))
            {
                return Fail("missing field 'verificationId'");
            }

            if (idElement.ValueKind != JsonValueKind.String
                || !Guid.TryParseExact(idElement.GetString(), "D", out var verificationId)
                || verificationId == Guid.Empty)
            {
                return Fail("'verificationId' must be a GUID string (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)");
            }

            if (!root.TryGetProperty("status", out var statusElement))
            {
                return Fail("missing field 'status'");
            }

            EligibilityStatus? status = statusElement.ValueKind == JsonValueKind.String
                ? statusElement.GetString() switch
                {
                    "valid" => EligibilityStatus.Valid,
                    "invalid" => EligibilityStatus.Invalid,
                    "notFound" => EligibilityStatus.NotFound,
                    _ => null,
                }
                : null;
            if (status is null)
            {
                return Fail("'status' must be one of \"valid\", \"invalid\", \"notFound\"");
            }

            string? greetingName = null;
            if (root.TryGetProperty("greetingName", out var nameElement) && nameElement.ValueKind != JsonValueKind.Null)
            {
                if (nameElement.ValueKind != JsonValueKind.String)
                {
                    return Fail("'greetingName' must be a string or null");
                }

                greetingName = nameElement.GetString()!.Trim();
                if (greetingName.Length > MaxGreetingNameLength)
                {
                    return Fail($"'greetingName' is longer than {MaxGreetingNameLength} characters");
                }

                if (greetingName.Any(char.IsControl))
                {
                    return Fail("'greetingName' must not contain control characters");
                }

                if (greetingName.Length == 0)
                {
                    greetingName = null;
                }
            }

            var notices = new List<string>();
            if (root.TryGetProperty("notices", out var noticesElement) && noticesElement.ValueKind != JsonValueKind.Null)
            {
                if (noticesElement.ValueKind != JsonValueKind.Array)
                {
                    return Fail("'notices' must be an array of strings");
                }

                if (noticesElement.GetArrayLength() > MaxNotices)
                {
                    return Fail($"'notices' has more than {MaxNotices} entries");
                }

                foreach (var notice in noticesElement.EnumerateArray())
                {
                    if (notice.ValueKind != JsonValueKind.String)
                    {
                        return Fail("'notices' must be an array of strings");
                    }

                    var text = notice.GetString()!;
                    if (text.Length > MaxNoticeLength)
                    {
                        return Fail($"a notice is longer than {MaxNoticeLength} characters");
                    }

                    if (text.Any(c => char.IsControl(c) && c != '\n'))
                    {
                        return Fail("a notice must not contain control characters other than line feeds");
                    }

                    notices.Add(text);
                }
            }

            var answer = new EligibilityAnswer(verificationId, status.Value, greetingName, notices);
            return ClinicRequestResult.Ok(new ClinicCommand.Eligibility(answer), transaction);
        });
    }

    /// <summary>Parses the payload as one JSON object, checks <c>schema</c> and reads <c>transaction</c>, then hands over.</summary>
    private static ClinicRequestResult WithObject(
        ReadOnlySequence<byte> payload,
        string expectedSchema,
        string? requiredToken,
        Func<JsonElement, string?, ClinicRequestResult> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload, DocumentOptions);
        }
        catch (JsonException)
        {
            return ClinicRequestResult.Fail("malformed JSON (or invalid UTF-8, or a duplicate property)");
        }
        catch (ArgumentException)
        {
            return ClinicRequestResult.Fail("malformed JSON");
        }

        using (document)
        {
            try
            {
                return Dispatch(document.RootElement, expectedSchema, requiredToken, body);
            }
            catch (InvalidOperationException)
            {
                // JsonElement.GetString() refuses strings that are not valid UTF-8.
                return ClinicRequestResult.Fail("a string is not valid UTF-8");
            }
        }
    }

    private static ClinicRequestResult Dispatch(
        JsonElement root,
        string expectedSchema,
        string? requiredToken,
        Func<JsonElement, string?, ClinicRequestResult> body)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ClinicRequestResult.Fail("the payload must be a JSON object");
        }

        string? transaction = null;
        if (root.TryGetProperty("transaction", out var transactionElement) && transactionElement.ValueKind != JsonValueKind.Null)
        {
            if (transactionElement.ValueKind != JsonValueKind.String)
            {
                return ClinicRequestResult.Fail("'transaction' must be a string");
            }

            transaction = transactionElement.GetString()!;
            if (transaction.Length > MaxTransactionLength || transaction.Any(char.IsControl))
            {
                return ClinicRequestResult.Fail(
                    $"'transaction' must be at most {MaxTransactionLength} characters without control characters");
            }
        }

        if (requiredToken is not null && !HasToken(root, requiredToken))
        {
            return ClinicRequestResult.Fail(UnauthorisedError, transaction);
        }

        if (root.TryGetProperty("schema", out var schemaElement) && schemaElement.ValueKind != JsonValueKind.Null)
        {
            if (schemaElement.ValueKind != JsonValueKind.String || schemaElement.GetString() != expectedSchema)
            {
                return ClinicRequestResult.Fail($"unsupported schema; expected \"{expectedSchema}\"", transaction);
            }
        }

        try
        {
            return body(root, transaction);
        }
        catch (InvalidOperationException)
        {
            return ClinicRequestResult.Fail("a string is not valid UTF-8", transaction);
        }
    }

    /// <summary>Whether <c>token</c> is a string equal to <paramref name="required"/>, compared in constant time.</summary>
    private static bool HasToken(JsonElement root, string required)
    {
        if (!root.TryGetProperty("token", out var element) || element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        var given = SHA256.HashData(Encoding.UTF8.GetBytes(element.GetString()!));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(required));
        return CryptographicOperations.FixedTimeEquals(given, expected);
    }
}
