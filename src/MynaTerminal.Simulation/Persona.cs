using MynaTerminal.Card.Emulator;
using MynaTerminal.Core.Cards;

namespace MynaTerminal.Simulation;

/// <summary>
/// A simulated patient and the credential they carry. All data is invented; certificates are issued by a
/// test CA whose name says TEST. <see cref="ExpiresIn"/> is relative to the moment the card is inserted.
/// </summary>
/// <param name="Id">Short name used in scripts (<c>insert normal</c>).</param>
/// <param name="GreetingName">Name the simulated clinic greets with (氏名 as the clinic's system has it).</param>
/// <param name="Kind">Card or phone token; null for a card that is not a My Number Card.</param>
/// <param name="ExpiresIn">Certificate lifetime left (negative: already expired).</param>
/// <param name="Pin">The PIN the patient knows (null: none, e.g. 顔認証マイナンバーカード).</param>
/// <param name="PinState">Initial PIN counter state.</param>
/// <param name="HasFacePhoto">Whether the 券面AP with the chip photo exists.</param>
/// <param name="MatchingNumberB">照合番号B printed on the card face (和暦 YYMMDD + expiry year + security code).</param>
public sealed record Persona(
    string Id,
    string GreetingName,
    CardKind? Kind,
    TimeSpan ExpiresIn,
    string? Pin,
    PinStatus PinState,
    bool HasFacePhoto,
    string MatchingNumberB)
{
    /// <summary>The face this persona shows the camera (the holder's own).</summary>
    public string FaceId => "face:" + Id;

    /// <summary>
    /// The simulation's patients: the virtual card personas of the emulator (one place for ids, holders, PINs
    /// and 照合番号B), seen from the patient's side.
    /// </summary>
    public static IReadOnlyList<Persona> All { get; } = [.. VirtualCardPersonas.All.Select(From)];

    private static Persona From(VirtualCardPersona card) => new(
        card.Id,
        card.HolderName,
        card.CardKind,
        card.CertificateExpiresIn,
        card.Pin,
        !card.HasPin ? new PinStatus.NotIssued() : card.PinTriesLeft == 0 ? new PinStatus.Blocked() : new PinStatus.Ready(card.PinTriesLeft),
        card.HasFacePhoto,
        card.Kind == VirtualCardKind.Card ? card.MatchingNumberB : "");

    public static Persona Get(string id) =>
        All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown persona '{id}'. Known: {string.Join(", ", All.Select(p => p.Id))}.", nameof(id));
}
