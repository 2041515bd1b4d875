using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace MynaTerminal.Card.Data;

/// <summary>
/// 基本4情報 from the 券面事項入力補助AP EF 0002 (card-protocol.md §5.3). Read only when the clinic's
/// configuration asks for it. Personal data: never logged or published beyond what the clinic asked.
/// </summary>
/// <param name="Name">氏名 (UTF-8 on the card; family and given name separated by U+3000).</param>
/// <param name="Address">住所.</param>
/// <param name="BirthDate">生年月日, Gregorian <c>YYYYMMDD</c>.</param>
/// <param name="Sex">JIS X 0303: 1 male, 2 female, 9 not applicable, 0 unknown.</param>
public sealed record BasicFourInformation(string Name, string Address, string BirthDate, string Sex)
{
    public static bool TryParse(ReadOnlySpan<byte> file, [NotNullWhen(true)] out BasicFourInformation? information, [NotNullWhen(false)] out string? error)
    {
        information = null;
        if (!BerTlv.TryRead(file, 0, out var outer) || outer.Tag != 0xFF20)
        {
            error = "text EF 0002 does not start with a complete FF20 object";
            return false;
        }

        if (!BerTlv.TryReadAll(file, outer.ValueOffset, outer.End, out var parts))
        {
            error = "text EF 0002 holds a malformed TLV";
            return false;
        }

        var values = new Dictionary<uint, string>();
        foreach (var part in parts)
        {
            values.TryAdd(part.Tag, Encoding.UTF8.GetString(file.Slice(part.ValueOffset, part.ValueLength)));
        }

        var name = values.GetValueOrDefault(0xDF22u);
        var address = values.GetValueOrDefault(0xDF23u);
        var birth = values.GetValueOrDefault(0xDF24u);
        var sex = values.GetValueOrDefault(0xDF25u);
        if (name is null || address is null || birth is null || sex is null)
        {
            error = "text EF 0002 lacks one of DF22-DF25";
            return false;
        }

        information = new BasicFourInformation(name, address, birth, sex);
        error = null;
        return true;
    }

    public override string ToString() => "BasicFourInformation(****)";
}
