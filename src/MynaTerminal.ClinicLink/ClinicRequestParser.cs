using System.Buffers;
using System.Text.Json;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// The outcome of parsing one request: a command, or an error for the response. <see cref="Transaction"/>
/// is echoed in the response whenever it could be read, also with an error.
/// </summary>
public sealed record ClinicRequestResult(ClinicCommand? Command, string? Error, string? Transaction)
{
    public bool IsOk => Command is not null;

    internal static ClinicRequestResult Ok(ClinicCommand command, string? transaction) => new(command, null, transaction);

    internal static ClinicRequestResult Fail(string error, string? transaction = null) => new(null, error, transaction);
}

/// <summary>
/// Strict, exception-free parsing of <c>request/&lt;name&gt;</c> payloads into <see cref="ClinicCommand"/>s.
/// Anything unexpected (malformed JSON, duplicate keys, missing or mistyped fields, an unknown schema,
/// oversized text) becomes an error result with a short reason, never an exception. Unknown extra
/// properties are ignored, so newer clinic software can add fields.
/// </summary>
public static class ClinicRequestParser
{
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

    public static ClinicRequestResult Parse(string name, ReadOnlyMemory<byte> payload) =>
        Parse(name, new ReadOnlySequence<byte>(payload));

    public static ClinicRequestResult Parse(string name, ReadOnlySequence<byte> payload)
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
                return ParseEligibility(payload);
            case MqttTopics.Requests.Cancel:
                return ParseSimple(payload, new ClinicCommand.Cancel());
            case MqttTopics.Requests.StaffVisual:
                return ParseSimple(payload, new ClinicCommand.StaffVisualApproval());
            case MqttTopics.Requests.StaffResume:
                return ParseSimple(payload, new ClinicCommand.StaffResume());
            default:
                var shown = MqttTopics.IsValidRequestName(name) ? name : "?";
                return ClinicRequestResult.Fail(
                    $"unknown request '{shown}'; known: {string.Join(", ", MqttTopics.Requests.All)}");
        }
    }

    private static ClinicRequestResult ParseSimple(ReadOnlySequence<byte> payload, ClinicCommand command)
    {
        if (payload.IsEmpty)
        {
            return ClinicRequestResult.Ok(command, null);
        }

        return WithObject(payload, PayloadSchemas.Request, (root, transaction) => ClinicRequestResult.Ok(command, transaction));
    }

    private static ClinicRequestResult ParseEligibility(ReadOnlySequence<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return ClinicRequestResult.Fail("empty payload; an eligibility answer is a JSON object");
        }

        return WithObject(payload, PayloadSchemas.Eligibility, static (root, transaction) =>
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
                return Dispatch(document.RootElement, expectedSchema, body);
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
}
