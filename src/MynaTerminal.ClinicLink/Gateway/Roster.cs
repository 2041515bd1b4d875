using System.Globalization;
using System.Text.Json;
using MynaTerminal.Core.Results;

namespace MynaTerminal.ClinicLink.Gateway;

/// <summary>One insured person of the roster: the name to greet, the eligibility status and notices.</summary>
public sealed record RosterEntry(string? GreetingName, EligibilityStatus Status, IReadOnlyList<string> Notices);

/// <summary>
/// The reference gateway's stand-in for the eligibility system: a JSON file that maps the serial number of the
/// user-auth certificate (as in <c>certificate.serialNumber</c>, hex) to the person to greet, the status
/// (有効 / 資格無効 / 資格情報なし, or valid / invalid / notFound) and notices. A serial that is not listed is
/// 資格情報なし (notFound) without a name. Example: docs/mqtt/roster.sample.json.
/// </summary>
/// <remarks>
/// <code>
/// { "0A1B2C3D": { "name": "山田 太郎", "status": "有効", "notices": ["お薬手帳をお持ちください"] },
///   "FF01":     { "name": "佐藤 花子", "status": "資格無効" } }
/// </code>
/// Serials are compared as hex numbers (case, colons, spaces and leading zeros do not matter). Keys starting
/// with <c>$</c> (such as <c>$comment</c>) are ignored.
/// </remarks>
public sealed class Roster
{
    private readonly Dictionary<string, RosterEntry> _entries;

    private Roster(Dictionary<string, RosterEntry> entries) => _entries = entries;

    public int Count => _entries.Count;

    /// <summary>The entry for a certificate serial, or notFound without a name.</summary>
    public RosterEntry Lookup(string certificateSerial) =>
        _entries.GetValueOrDefault(Normalize(certificateSerial)) ?? new RosterEntry(null, EligibilityStatus.NotFound, []);

    /// <summary>Reads a roster file.</summary>
    /// <exception cref="FormatException">The file is not a valid roster; the message names the entry.</exception>
    public static Roster Load(string path) => Parse(File.ReadAllBytes(path), path);

    public static Roster Parse(ReadOnlySpan<byte> json, string source = "roster")
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException($"{source}: the roster is a JSON object of certificate serial → person");
            }

            var entries = new Dictionary<string, RosterEntry>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name.StartsWith('$'))
                {
                    continue;
                }

                var serial = Normalize(property.Name);
                if (serial.Length == 0 || !serial.All(char.IsAsciiHexDigit))
                {
                    throw new FormatException($"{source}: '{property.Name}' is not a certificate serial number in hex");
                }

                if (!entries.TryAdd(serial, ParseEntry(property.Value, $"{source}: '{property.Name}'")))
                {
                    throw new FormatException($"{source}: serial '{property.Name}' is listed twice");
                }
            }

            return new Roster(entries);
        }
    }

    /// <summary>Upper-case hex without separators and leading zeros.</summary>
    public static string Normalize(string serial)
    {
        ArgumentNullException.ThrowIfNull(serial);
        var hex = new string([.. serial.Where(c => c is not (':' or ' ' or '-')).Select(char.ToUpperInvariant)]).TrimStart('0');
        return hex.Length == 0 && serial.Contains('0', StringComparison.Ordinal) ? "0" : hex;
    }

    private static RosterEntry ParseEntry(JsonElement element, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where}: an entry is an object with name, status and notices");
        }

        string? name = null;
        if (element.TryGetProperty("name", out var nameElement) && nameElement.ValueKind != JsonValueKind.Null)
        {
            name = nameElement.ValueKind == JsonValueKind.String ? nameElement.GetString()!.Trim() : throw new FormatException($"{where}: 'name' must be a string");
            if (name.Length > ClinicRequestParser.MaxGreetingNameLength || name.Any(char.IsControl))
            {
                throw new FormatException($"{where}: 'name' must be at most {ClinicRequestParser.MaxGreetingNameLength} characters without control characters");
            }
        }

        var statusText = element.TryGetProperty("status", out var statusElement) && statusElement.ValueKind == JsonValueKind.String
            ? statusElement.GetString()
            : throw new FormatException($"{where}: 'status' is missing (有効, 資格無効, 資格情報なし)");
        var status = statusText switch
        {
            "有効" or "valid" => EligibilityStatus.Valid,
            "資格無効" or "invalid" => EligibilityStatus.Invalid,
            "資格情報なし" or "notFound" => EligibilityStatus.NotFound,
            _ => throw new FormatException($"{where}: status '{statusText}' is not 有効, 資格無効 or 資格情報なし (valid, invalid, notFound)"),
        };

        var notices = new List<string>();
        if (element.TryGetProperty("notices", out var noticesElement) && noticesElement.ValueKind != JsonValueKind.Null)
        {
            if (noticesElement.ValueKind != JsonValueKind.Array || noticesElement.GetArrayLength() > ClinicRequestParser.MaxNotices)
            {
                throw new FormatException($"{where}: 'notices' must be an array of at most {ClinicRequestParser.MaxNotices} strings");
            }

            foreach (var notice in noticesElement.EnumerateArray())
            {
                if (notice.ValueKind != JsonValueKind.String || notice.GetString()!.Length > ClinicRequestParser.MaxNoticeLength)
                {
                    throw new FormatException($"{where}: a notice must be a string of at most {ClinicRequestParser.MaxNoticeLength.ToString(CultureInfo.InvariantCulture)} characters");
                }

                notices.Add(notice.GetString()!);
            }
        }

        return new RosterEntry(name is { Length: > 0 } ? name : null, status, notices);
    }
}
