using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// The one place for topic names of the clinic MQTT API. Everything of one terminal lives under
/// <c>mynaterm/&lt;terminalId&gt;/</c>:
/// <list type="bullet">
/// <item><c>availability</c> (retained, Last Will), <c>info</c> and <c>state</c> (retained),</item>
/// <item><c>event/verification</c> and <c>event/alert</c> (QoS 1, not retained),</item>
/// <item><c>request/&lt;name&gt;</c> → <c>response/&lt;name&gt;</c>.</item>
/// </list>
/// </summary>
public sealed partial class MqttTopics
{
    /// <summary>First topic level of every MynaTerminal topic.</summary>
    public const string Root = "mynaterm";

    /// <summary>Filter for every topic of every terminal (what a monitoring client subscribes to).</summary>
    public const string AllTerminalsFilter = Root + "/#";

    /// <summary>What a terminal id may look like: it is one topic level, so no '/', '+', '#' or spaces.</summary>
    public const string TerminalIdPattern = "^[A-Za-z0-9_-]{1,64}$";

    /// <summary>What a request name may look like (the level after <c>request/</c>).</summary>
    public const string RequestNamePattern = "^[a-z0-9][a-z0-9-]{0,31}$";

    /// <summary>Request names the terminal understands.</summary>
    public static class Requests
    {
        /// <summary>The clinic's eligibility answer to a verification.</summary>
        public const string Eligibility = "eligibility";

        /// <summary>Cancel the running session.</summary>
        public const string Cancel = "cancel";

        /// <summary>Staff approve the visual check (目視確認) of the waiting patient.</summary>
        public const string StaffVisual = "staff-visual";

        /// <summary>Staff hand the terminal back to automatic mode.</summary>
        public const string StaffResume = "staff-resume";

        /// <summary>Switch the terminal's mode: automatic, staff (目視確認 for one patient), out of service.</summary>
        public const string Mode = "mode";

        /// <summary>Run the self-test and answer with each check's result.</summary>
        public const string SelfTest = "selftest";

        /// <summary>All of the above, in a stable order.</summary>
        public static IReadOnlyList<string> All { get; } = [Eligibility, Cancel, StaffVisual, StaffResume, Mode, SelfTest];
    }

    public MqttTopics(string terminalId)
    {
        if (!IsValidTerminalId(terminalId))
        {
            throw new ArgumentException($"A terminal id must match {TerminalIdPattern}.", nameof(terminalId));
        }

        TerminalId = terminalId;
        Base = $"{Root}/{terminalId}/";
        Availability = Base + "availability";
        State = Base + "state";
        Info = Base + "info";
        VerificationEvent = Base + "event/verification";
        AlertEvent = Base + "event/alert";
        RequestPrefix = Base + "request/";
        ResponsePrefix = Base + "response/";
        RequestFilter = RequestPrefix + "#";
        AllFilter = Base + "#";
    }

    public string TerminalId { get; }

    /// <summary><c>mynaterm/&lt;terminalId&gt;/</c>, with the trailing slash.</summary>
    public string Base { get; }

    /// <summary>Retained <c>{"state":"online"|"offline"}</c>; also the Last Will.</summary>
    public string Availability { get; }

    /// <summary>Retained current phase (no personal data).</summary>
    public string State { get; }

    /// <summary>Retained version and capabilities.</summary>
    public string Info { get; }

    /// <summary>Finished verifications, QoS 1, from the outbox.</summary>
    public string VerificationEvent { get; }

    /// <summary>Alerts for staff, QoS 1, not retained.</summary>
    public string AlertEvent { get; }

    /// <summary><c>mynaterm/&lt;terminalId&gt;/request/</c>.</summary>
    public string RequestPrefix { get; }

    /// <summary><c>mynaterm/&lt;terminalId&gt;/response/</c>.</summary>
    public string ResponsePrefix { get; }

    /// <summary><c>mynaterm/&lt;terminalId&gt;/request/#</c>: what the terminal subscribes to.</summary>
    public string RequestFilter { get; }

    /// <summary><c>mynaterm/&lt;terminalId&gt;/#</c>.</summary>
    public string AllFilter { get; }

    /// <summary>The topic a clinic system publishes the request <paramref name="name"/> to.</summary>
    public string Request(string name) => RequestPrefix + CheckedRequestName(name);

    /// <summary>The default response topic of request <paramref name="name"/> (used without an MQTT 5 response topic).</summary>
    public string Response(string name) => ResponsePrefix + CheckedRequestName(name);

    /// <summary>Extracts the request name from a topic under <see cref="RequestPrefix"/>; false for anything else.</summary>
    public bool TryGetRequestName(string? topic, [NotNullWhen(true)] out string? name)
    {
        name = null;
        if (topic is null || !topic.StartsWith(RequestPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var candidate = topic[RequestPrefix.Length..];
        if (!IsValidRequestName(candidate))
        {
            return false;
        }

        name = candidate;
        return true;
    }

    public static bool IsValidTerminalId([NotNullWhen(true)] string? terminalId) =>
        terminalId is not null && IsFullMatch(TerminalIdRegex(), terminalId);

    public static bool IsValidRequestName([NotNullWhen(true)] string? name) =>
        name is not null && IsFullMatch(RequestNameRegex(), name);

    public override string ToString() => Base;

    // '$' also matches before a final '\n'; a topic level must not end in one.
    private static bool IsFullMatch(Regex regex, string value)
    {
        var match = regex.Match(value);
        return match.Success && match.Length == value.Length;
    }

    private static string CheckedRequestName(string name) =>
        IsValidRequestName(name)
            ? name
            : throw new ArgumentException($"A request name must match {RequestNamePattern}.", nameof(name));

    [GeneratedRegex(TerminalIdPattern, RegexOptions.CultureInvariant)]
    private static partial Regex TerminalIdRegex();

    [GeneratedRegex(RequestNamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex RequestNameRegex();
}
