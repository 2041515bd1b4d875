using MynaTerminal.Core.Cards;

namespace MynaTerminal.Core.Results;

/// <summary>Face evidence in a result: a band and the liveness verdict, never a score, image or embedding.</summary>
public sealed record FaceEvidence(FaceScoreBand Band, bool LivenessPassed, int Attempts);

/// <summary>
/// A finished verification: what the clinic receives on <c>event/verification</c>. It carries the
/// certificate (which the eligibility system is keyed on) and never the My Number, a PIN, a face image
/// or an embedding.
/// </summary>
/// <param name="Id">Stable id; the clinic de-duplicates on it (exactly-once effect).</param>
public sealed record VerificationResult(
    Guid Id,
    DateTimeOffset StartedAt,
    DateTimeOffset CompletedAt,
    CardKind CardKind,
    IdentityMethod Method,
    CertificateInfo Certificate,
    CertificateExpiry Expiry,
    ConsentSet Consents,
    PrescriptionForm? PrescriptionForm,
    FaceEvidence? Face)
{
    /// <summary>False when the certificate expired within the grace period: eligibility only.</summary>
    public bool MedicalInformationShared => Expiry != CertificateExpiry.ExpiredInGrace;
}
