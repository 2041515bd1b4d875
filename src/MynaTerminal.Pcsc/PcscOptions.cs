using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using MynaTerminal.Core.Cards;

namespace MynaTerminal.Pcsc;

/// <summary>
/// Configuration section <c>Pcsc</c>: which reader plays which role, and how the reader monitor recovers when
/// pcscd is missing or restarts.
/// </summary>
/// <example>
/// <code>
/// "Pcsc": {
///   "Readers": [
///     { "Role": "CardTray", "ReaderNamePattern": "^SONY FeliCa Port/PaSoRi" },
///     { "Role": "Phone",    "ReaderNamePattern": "^ACS ACR1252" }
///   ],
///   "ReconnectDelay": "00:00:01", "MaxReconnectDelay": "00:00:30"
/// }
/// </code>
/// </example>
public sealed class PcscOptions : IValidatableObject
{
    public const string SectionName = "Pcsc";

    /// <summary>
    /// Role rules, first match wins per reader. Empty (the default) = by arrival: the first reader pcscd lists
    /// is the <see cref="ReaderRole.CardTray"/>, the second the <see cref="ReaderRole.Phone"/> reader; further
    /// readers are ignored. A role, once given, stays with its reader until that reader is unplugged.
    /// Readers that match no rule are ignored (no events, but <see cref="PcscCardTerminal.ConnectAsync"/> works).
    /// </summary>
    public List<ReaderRoleRule> Readers { get; set; } = [];

    /// <summary>
    /// First wait before establishing a new context when pcscd is not running (at boot) or went away; doubles
    /// per failed attempt up to <see cref="MaxReconnectDelay"/>.
    /// </summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the reconnect back-off.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Longest single wait in <c>SCardGetStatusChange</c>; after it the monitor lists the readers again (a safety
    /// net for hot-plug events that fall between two calls). Card events do not wait for it.
    /// </summary>
    public TimeSpan RescanInterval { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Readers is null)
        {
            yield return new ValidationResult("Readers must be a list (it may be empty).", [nameof(Readers)]);
            yield break;
        }

        for (var i = 0; i < Readers.Count; i++)
        {
            var prefix = $"{nameof(Readers)}[{i}]";
            if (Readers[i] is not { } rule)
            {
                yield return new ValidationResult($"{prefix} is empty.", [prefix]);
                continue;
            }

            var results = new List<ValidationResult>();
            Validator.TryValidateObject(rule, new ValidationContext(rule), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult(
                    $"{prefix}: {result.ErrorMessage}",
                    result.MemberNames.Select(member => $"{prefix}.{member}").DefaultIfEmpty(prefix).ToArray());
            }
        }

        if (ReconnectDelay <= TimeSpan.Zero)
        {
            yield return new ValidationResult("ReconnectDelay must be positive.", [nameof(ReconnectDelay)]);
        }

        if (MaxReconnectDelay < ReconnectDelay)
        {
            yield return new ValidationResult("MaxReconnectDelay must be at least ReconnectDelay.", [nameof(MaxReconnectDelay)]);
        }

        if (RescanInterval <= TimeSpan.Zero || RescanInterval > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult("RescanInterval must be between 0 and 1 hour (exclusive of 0).", [nameof(RescanInterval)]);
        }
    }
}

/// <summary>One reader-role rule: readers whose pcscd name matches <see cref="ReaderNamePattern"/> get <see cref="Role"/>.</summary>
public sealed class ReaderRoleRule : IValidatableObject
{
    /// <summary>Time limit for one match (reader names are short; this only guards against a pathological pattern).</summary>
    internal static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary><c>CardTray</c> or <c>Phone</c>.</summary>
    [Required]
    public ReaderRole? Role { get; set; }

    /// <summary>
    /// .NET regular expression matched against the reader name pcscd reports (case-insensitive), e.g.
    /// <c>^SONY FeliCa Port/PaSoRi 4\.0</c>. pcscd appends " 00 00" style slot numbers to names.
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string ReaderNamePattern { get; set; } = "";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Role is { } role && !Enum.IsDefined(role))
        {
            yield return new ValidationResult($"Role '{role}' is not a reader role.", [nameof(Role)]);
        }

        string? problem = null;
        try
        {
            _ = CreateRegex(ReaderNamePattern);
        }
        catch (ArgumentException exception)
        {
            problem = exception.Message;
        }

        if (problem is not null)
        {
            yield return new ValidationResult($"ReaderNamePattern is not a valid regular expression: {problem}", [nameof(ReaderNamePattern)]);
        }
    }

    internal static Regex CreateRegex(string pattern) =>
        new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, MatchTimeout);
}
