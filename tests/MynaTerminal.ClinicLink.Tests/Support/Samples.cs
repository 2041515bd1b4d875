using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;

namespace MynaTerminal.ClinicLink.Tests.Support;

internal static class Samples
{
    public static readonly TimeSpan Jst = TimeSpan.FromHours(9);

    public static readonly DateTimeOffset Start = new(2026, 4, 1, 9, 0, 0, Jst);

    /// <summary>A device key for payloads that need one (in memory, shared by the tests).</summary>
    public static readonly DeviceKey Key = DeviceKey.CreateEphemeral();

    /// <summary>The id of a serialized verification.</summary>
    public static Guid IdOf(byte[] message) => System.Text.Json.JsonDocument.Parse(message).RootElement.GetProperty("id").GetGuid();

    public static VerificationResult FaceVerification(Guid? id = null) => new(
        id ?? Guid.NewGuid(),
        Start,
        Start.AddSeconds(45),
        CardKind.Card,
        IdentityMethod.Face,
        new CertificateInfo("0A1B2C3D", new DateTimeOffset(2030, 3, 31, 23, 59, 59, Jst), "JPKI user-auth CA", new byte[] { 0x30, 0x82, 0x01, 0x0A }),
        CertificateExpiry.Valid,
        new ConsentSet(
            ConsentMode.Individual,
            [
                new ConsentDecision("treatment", true, Start.AddSeconds(30)),
                new ConsentDecision("medication", false, Start.AddSeconds(31)),
            ]),
        PrescriptionForm.Electronic,
        new FaceEvidence(FaceScoreBand.High, true, 1));

    public static VerificationResult PinVerificationInGrace(Guid? id = null) => new(
        id ?? Guid.NewGuid(),
        Start,
        Start.AddSeconds(20),
        CardKind.IPhone,
        IdentityMethod.Pin,
        new CertificateInfo("FF01", new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), "JPKI", new byte[] { 1, 2, 3 }),
        CertificateExpiry.ExpiredInGrace,
        ConsentSet.NotAsked,
        null,
        null);
}
