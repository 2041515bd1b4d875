namespace MynaTerminal.Core.Results;

/// <summary>
/// One consent category shown on the consent screen (過去の医療情報等の提供). Categories are data, read from
/// configuration, because the set grows (電子カルテ情報共有サービス adds 傷病名, 感染症, アレルギー, 検査, 処方).
/// </summary>
/// <param name="Id">Stable id used in results and text resources, e.g. "treatment".</param>
public sealed record ConsentCategory(string Id);

/// <summary>How the patient answered the consent screen.</summary>
public enum ConsentMode
{
    /// <summary>全て同意する.</summary>
    All,
    /// <summary>個別に同意する, then one answer per category.</summary>
    Individual,
    /// <summary>Not asked: an expired certificate in grace shares no medical information.</summary>
    NotAsked,
}

/// <summary>The patient's answer for one category, with the time it was given (consent is valid for 24 h).</summary>
public sealed record ConsentDecision(string CategoryId, bool Agreed, DateTimeOffset At);

/// <summary>The whole consent answer of one session.</summary>
public sealed record ConsentSet(ConsentMode Mode, IReadOnlyList<ConsentDecision> Decisions)
{
    public static ConsentSet NotAsked { get; } = new(ConsentMode.NotAsked, []);
}

/// <summary>処方箋の発行形態 chosen on the terminal when the clinic issues electronic prescriptions.</summary>
public enum PrescriptionForm
{
    /// <summary>電子処方箋 (PrescriptionIssueSelect = 1).</summary>
    Electronic,
    /// <summary>紙の処方箋 (PrescriptionIssueSelect = 2).</summary>
    Paper,
}
