namespace MynaTerminal.Core.Results;

/// <summary>資格有効性 as the clinic's eligibility system reports it (simplified to what the patient needs).</summary>
public enum EligibilityStatus
{
    /// <summary>有効.</summary>
    Valid,
    /// <summary>資格無効 (無効, or 無効（新しい資格あり）).</summary>
    Invalid,
    /// <summary>該当資格なし: "資格情報なし", e.g. just changed jobs.</summary>
    NotFound,
}

/// <summary>The clinic's answer to a published verification.</summary>
/// <param name="VerificationId">The id of the verification it answers.</param>
/// <param name="GreetingName">Name to greet the patient with (●●様), as the clinic's system has it.</param>
/// <param name="Notices">Processing-result messages to show as they are (e.g. expiry notices).</param>
public sealed record EligibilityAnswer(Guid VerificationId, EligibilityStatus Status, string? GreetingName, IReadOnlyList<string> Notices);
