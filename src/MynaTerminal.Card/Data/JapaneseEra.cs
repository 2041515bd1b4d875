namespace MynaTerminal.Card.Data;

/// <summary>
/// Japanese-era dates as the card uses them: 照合番号B and the 券面AP birth-date key start with the birth date as
/// era <c>YYMMDD</c> (the era itself is not encoded). Boundaries as in card-protocol.md §4.3.
/// </summary>
public static class JapaneseEra
{
    private static readonly (string Name, char Letter, DateOnly Start)[] Eras =
    [
        ("令和", 'R', new DateOnly(2019, 5, 1)),
        ("平成", 'H', new DateOnly(1989, 1, 8)),
        ("昭和", 'S', new DateOnly(1926, 12, 25)),
        ("大正", 'T', new DateOnly(1912, 7, 30)),
        ("明治", 'M', new DateOnly(1868, 1, 25)),
    ];

    /// <summary>The era and its 1-based year (元年 = 1) of a Gregorian date.</summary>
    public static (string Era, char Letter, int Year) ToEra(DateOnly date)
    {
        foreach (var (name, letter, start) in Eras)
        {
            if (date >= start)
            {
                return (name, letter, date.Year - start.Year + 1);
            }
        }

        throw new ArgumentOutOfRangeException(nameof(date), "Before the Meiji era.");
    }

    /// <summary>Era <c>YYMMDD</c> (6 ASCII digits), e.g. 1980-02-17 → <c>550217</c> (昭和55).</summary>
    public static string ToYyMmDd(DateOnly date)
    {
        var (_, _, year) = ToEra(date);
        return $"{year % 100:D2}{date.Month:D2}{date.Day:D2}";
    }

    /// <summary>
    /// The Gregorian dates an era <c>YYMMDD</c> can stand for (one per era in which it is a real date), newest first.
    /// </summary>
    public static IReadOnlyList<DateOnly> Candidates(string yyMmDd)
    {
        ArgumentNullException.ThrowIfNull(yyMmDd);
        var result = new List<DateOnly>();
        if (yyMmDd.Length != 6 || !yyMmDd.All(char.IsAsciiDigit))
        {
            return result;
        }

        var yy = int.Parse(yyMmDd.AsSpan(0, 2), provider: null);
        var mm = int.Parse(yyMmDd.AsSpan(2, 2), provider: null);
        var dd = int.Parse(yyMmDd.AsSpan(4, 2), provider: null);
        if (yy == 0 || mm is < 1 or > 12)
        {
            return result;
        }

        for (var i = 0; i < Eras.Length; i++)
        {
            var year = Eras[i].Start.Year + yy - 1;
            if (dd < 1 || dd > DateTime.DaysInMonth(year, mm))
            {
                continue;
            }

            var date = new DateOnly(year, mm, dd);
            var end = i == 0 ? DateOnly.MaxValue : Eras[i - 1].Start;
            if (date >= Eras[i].Start && date < end)
            {
                result.Add(date);
            }
        }

        return result;
    }
}
