using MynaTerminal.Core.Cards;

namespace MynaTerminal.Core.Policies;

/// <summary>
/// Classifies a certificate's validity the way certified readers do: an alert from <see cref="AlertBefore"/>
/// before expiry, and a grace period of <see cref="Grace"/> after it in which only eligibility is confirmed.
/// The exact cut-off day is ambiguous in the sources, so both spans are configuration; the clinic's
/// eligibility answer has the last word.
/// </summary>
public sealed record CertificateExpiryPolicy(TimeSpan AlertBefore, TimeSpan Grace)
{
    /// <summary>3 months (taken as 92 days) each side, as the MHLW guidance describes.</summary>
    public static CertificateExpiryPolicy Default { get; } = new(TimeSpan.FromDays(92), TimeSpan.FromDays(92));

    public CertificateExpiry Classify(DateTimeOffset notAfter, DateTimeOffset now, CardKind kind)
    {
        if (now <= notAfter)
        {
            return now >= notAfter - AlertBefore ? CertificateExpiry.ExpiringSoon : CertificateExpiry.Valid;
        }

        // Phone certificates (スマホ用電子証明書) have no grace period.
        if (kind != CardKind.Card)
        {
            return CertificateExpiry.Expired;
        }

        return now <= notAfter + Grace ? CertificateExpiry.ExpiredInGrace : CertificateExpiry.Expired;
    }
}
