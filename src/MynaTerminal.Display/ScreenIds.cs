namespace MynaTerminal.Display;

/// <summary>
/// Ids of composed screens (<c>Screen.Id</c>): lower-case, file-name safe, one per phase and sub-state, so logs,
/// PNG history files and tests can tell screens apart without reading their texts.
/// </summary>
public static class ScreenIds
{
    public const string Idle = "idle";
    public const string Reading = "reading";
    public const string CertificateExpiringSoon = "certificate-expiring-soon";
    public const string CertificateExpiredInGrace = "certificate-expired-in-grace";
    public const string MethodChoice = "method-choice";
    public const string Face = "face";
    public const string Pin = "pin";
    /// <summary>次に間違えるとロックされます: the patient confirms the attempt that uses the last try.</summary>
    public const string PinLastTry = "pin-last-try";
    public const string PhoneConfirm = "phone-confirm";
    public const string StaffVisual = "staff-visual";
    public const string StaffHelp = "staff-help";
    /// <summary>The first consent screen: 全て同意する / 個別に同意する.</summary>
    public const string Consent = "consent";
    /// <summary>Individual consent: one category at a time.</summary>
    public const string ConsentCategory = "consent-category";
    public const string PrescriptionForm = "prescription-form";
    public const string Eligibility = "eligibility";
    public const string Done = "done";
    /// <summary>Done, but the eligibility answer was negative or missing: 受付にお声かけください.</summary>
    public const string DoneSeeReception = "done-see-reception";
    /// <summary>Prefix of failure screens; the reason follows in kebab case, e.g. "failed-card-unreadable".</summary>
    public const string FailedPrefix = "failed-";

    /// <summary>The failure screen of a reason: "CardUnreadable" → "failed-card-unreadable".</summary>
    public static string Failed(MynaTerminal.Core.Session.FailureReason reason) => FailedPrefix + KebabCase(reason.ToString());

    private static string KebabCase(string name)
    {
        var builder = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
    /// <summary>休止中: the terminal is out of service and reads no card.</summary>
    public const string OutOfService = "out-of-service";
}
