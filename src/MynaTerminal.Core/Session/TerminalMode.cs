namespace MynaTerminal.Core.Session;

/// <summary>
/// How the terminal takes patients (MQTT <c>request/mode</c>). Kept in memory: a restart starts in
/// <see cref="Automatic"/>.
/// </summary>
public enum TerminalMode
{
    /// <summary>無人運転モード (the default): the patient chooses face, PIN or staff.</summary>
    Automatic,

    /// <summary>
    /// 目視確認モード for one patient: the next plastic card goes straight to the visual check by staff
    /// (<see cref="SessionPhase.StaffVisual"/>) instead of the method choice — at once if a patient is waiting on
    /// the method choice. When that patient's session ends the terminal returns to <see cref="Automatic"/> by
    /// itself, so the next patient is never left without face authentication. Phones are not affected (an
    /// iPhone confirms on the phone, an Android phone needs its PIN); the mode then waits for a plastic card.
    /// </summary>
    Staff,

    /// <summary>
    /// 休止中: the terminal shows the out-of-service screen (<see cref="SessionPhase.OutOfService"/>) and reads no
    /// card. A patient already in a session finishes first; the terminal goes out of service when that card is
    /// taken out.
    /// </summary>
    OutOfService,
}
