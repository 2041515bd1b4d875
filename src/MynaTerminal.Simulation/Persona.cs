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

    public static IReadOnlyList<Persona> All { get; } =
    [
        new("normal", "山田 太郎", CardKind.Card, TimeSpan.FromDays(3 * 365), "1234", new PinStatus.Ready(3), true, "60040120290427"),
        new("expiring", "佐藤 花子", CardKind.Card, TimeSpan.FromDays(45), "2468", new PinStatus.Ready(3), true, "27111120260815"),
        new("grace", "鈴木 一郎", CardKind.Card, TimeSpan.FromDays(-30), "1357", new PinStatus.Ready(3), true, "22030320260321"),
        new("expired", "高橋 次郎", CardKind.Card, TimeSpan.FromDays(-200), "9999", new PinStatus.Ready(3), true, "35070720250911"),
        new("last-try", "伊藤 三郎", CardKind.Card, TimeSpan.FromDays(700), "4321", new PinStatus.Ready(1), true, "46121220280606"),
        new("pin-blocked", "渡辺 幸子", CardKind.Card, TimeSpan.FromDays(900), "5555", new PinStatus.Blocked(), true, "14090920290101"),
        new("face-only", "中村 𠮷男", CardKind.Card, TimeSpan.FromDays(1500), null, new PinStatus.NotIssued(), true, "05010520300202"),
        new("android", "小林 健", CardKind.Android, TimeSpan.FromDays(1000), "8642", new PinStatus.Ready(3), false, ""),
        new("iphone", "加藤 優", CardKind.IPhone, TimeSpan.FromDays(1000), null, new PinStatus.Ready(3), false, ""),
        new("unknown", "", null, TimeSpan.Zero, null, new PinStatus.NotIssued(), false, ""),
    ];

    public static Persona Get(string id) =>
        All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown persona '{id}'. Known: {string.Join(", ", All.Select(p => p.Id))}.", nameof(id));
}
