using System.Text;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Terminal.Tests;

/// <summary>
/// 照合番号B is validated before any VERIFY is spent: Japanese-era YYMMDD (a real date inside 大正, 昭和, 平成 or
/// 令和, not in the future) + expiry year (2015 … today + 11) + 4-digit security code, exactly 14 ASCII digits.
/// </summary>
public sealed class MatchingNumberBTests
{
    private static readonly DateTimeOffset Today = new(2025, 6, 15, 9, 0, 0, TimeSpan.FromHours(9));

    [Theory]
    [InlineData("55021720352285")] // card-protocol.md's example: 昭和55-02-17 = 1980-02-17, expires 2035
    [InlineData("60040120300427")] // 昭和60 = 1985-04-01
    [InlineData("12022920280000")] // 平成12-02-29 = 2000-02-29 (leap year)
    [InlineData("64010720150001")] // 昭和64-01-07, the last day of 昭和; earliest expiry year 2015
    [InlineData("01050120360202")] // 令和元年 05-01, the first day of 令和; expiry today + 11
    [InlineData("07061520301234")] // 令和7-06-15: born today (2025-06-15)
    [InlineData("15072920300000")] // 大正15 ended 1926-12-24, so 07-29 is a real 大正 date
    public void Valid_numbers_are_accepted_and_carried_verbatim(string digits)
    {
        Assert.True(MatchingNumberB.TryCreate(digits, Today, out var number));
        Assert.NotNull(number);
        Assert.Equal(digits, Encoding.ASCII.GetString(number.ToAscii()));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("8504012030042", "13 digits")]
    [InlineData("850401203004271", "15 digits")]
    [InlineData("8504012030042a", "a letter")]
    [InlineData(" 8504012030042", "a space")]
    [InlineData("85-04-01203004", "dashes")]
    [InlineData("８５０４０１２０３００４２７", "full-width digits")]
    [InlineData("٨٥٠٤٠١٢٠٣٠٠٤٢٧", "Arabic-Indic digits")]
    [InlineData("60130120300427", "month 13")]
    [InlineData("60000120300427", "month 00")]
    [InlineData("60040020300427", "day 00")]
    [InlineData("60023020300427", "30 February")]
    [InlineData("60043120300427", "31 April")]
    [InlineData("00040120300427", "era year 0 (元年 is 01)")]
    [InlineData("65010120300427", "no era has a 65th year")]
    [InlineData("85040120300427", "no era has an 85th year (a Gregorian 1985 is not an era date)")]
    [InlineData("64010820300427", "昭和64-01-08 does not exist (平成 began that day)")]
    [InlineData("01022920300427", "29 February in 元年 of any era")]
    [InlineData("01010120300427", "元年 01-01 exists in no era (each began later in the year)")]
    [InlineData("85040120140427", "expiry 2014 (before the card existed)")]
    [InlineData("85040100000427", "expiry year 0")]
    [InlineData("85040120370427", "expiry today + 12")]
    [InlineData("85040199990427", "expiry 9999")]
    public void Implausible_numbers_are_rejected(string digits, string why)
    {
        Assert.False(MatchingNumberB.TryCreate(digits, Today, out var number), why);
        Assert.Null(number);
    }

    [Fact]
    public void The_expiry_bound_moves_with_today()
    {
        const string expires2036 = "60040120360427";
        Assert.True(MatchingNumberB.TryCreate(expires2036, Today, out _));
        Assert.False(MatchingNumberB.TryCreate(expires2036, Today.AddYears(-1), out _));
    }

    [Fact]
    public void ToString_never_reveals_a_digit()
    {
        Assert.True(MatchingNumberB.TryCreate("60040120300427", Today, out var number));
        var text = number!.ToString();
        var interpolated = $"{number}";

        Assert.DoesNotContain(text, char.IsDigit);
        Assert.DoesNotContain(interpolated, char.IsDigit);
        Assert.DoesNotContain("0427", text, StringComparison.Ordinal);
    }
}
