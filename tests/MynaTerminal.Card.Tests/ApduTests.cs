using MynaTerminal.Card.Apdu;

namespace MynaTerminal.Card.Tests;

public sealed class CommandApduTests
{
    [Fact]
    public void Case1_is_the_header_only()
    {
        Assert.Equal("00200098", Hex.Of(new CommandApdu(0x00, 0x20, 0x00, 0x98).ToArray()));
    }

    [Fact]
    public void Case2_encodes_Le_256_as_00()
    {
        Assert.Equal("00B08A0000", Hex.Of(new CommandApdu(0x00, 0xB0, 0x8A, 0x00, default, 256).ToArray()));
        Assert.Equal("00B0860020", Hex.Of(new CommandApdu(0x00, 0xB0, 0x86, 0x00, default, 32).ToArray()));
    }

    [Fact]
    public void Case3_select_JPKI_matches_the_documented_bytes()
    {
        var select = new CommandApdu(0x00, 0xA4, 0x04, 0x0C, CardConstants.Aid.Jpki);
        Assert.Equal(Hex.SelectJpki, Hex.Of(select.ToArray()));
        Assert.False(select.IsExtended);
    }

    [Fact]
    public void Case4_signature_has_Lc_data_and_Le_00()
    {
        var data = new byte[51];
        var encoded = new CommandApdu(0x80, 0x2A, 0x00, 0x97, data, 256).ToArray();
        Assert.Equal(4 + 1 + 51 + 1, encoded.Length);
        Assert.Equal(0x33, encoded[4]);
        Assert.Equal(0x00, encoded[^1]);
    }

    [Fact]
    public void Extended_forms_are_encoded_when_needed()
    {
        Assert.Equal("00B08A00000000", Hex.Of(new CommandApdu(0x00, 0xB0, 0x8A, 0x00, default, 65536).ToArray()));
        Assert.Equal("00B08A04000200", Hex.Of(new CommandApdu(0x00, 0xB0, 0x8A, 0x04, default, 0x200).ToArray()));
        var big = new CommandApdu(0x00, 0x2A, 0x00, 0x00, new byte[300], 256);
        Assert.True(big.IsExtended);
        var encoded = big.ToArray();
        Assert.Equal(4 + 3 + 300 + 2, encoded.Length);
        Assert.Equal("00012C", Hex.Of(encoded.AsSpan(4, 3)));
        Assert.Equal("0100", Hex.Of(encoded.AsSpan(^2)));
    }

    [Theory]
    [InlineData("00200098")]
    [InlineData("00B08A0000")]
    [InlineData("00B0000104")]
    [InlineData(Hex.SelectJpki)]
    [InlineData("802A00970401020304" + "00")]
    [InlineData("00B08A00000000")]
    [InlineData("00B08A00000200")]
    [InlineData("002A000000012C" + LongData)]
    [InlineData("002A000000012C" + LongData + "0100")]
    public void Parse_round_trips_every_case(string hex)
    {
        var apdu = CommandApdu.Parse(Hex.Bytes(hex));
        Assert.Equal(hex, Hex.Of(apdu.ToArray()));
    }

    private const string LongData =
        "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B2C2D2E2F303132333435363738393A3B3C3D3E3F"
        + "404142434445464748494A4B4C4D4E4F505152535455565758595A5B5C5D5E5F606162636465666768696A6B6C6D6E6F707172737475767778797A7B7C7D7E7F"
        + "808182838485868788898A8B8C8D8E8F909192939495969798999A9B9C9D9E9FA0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"
        + "C0C1C2C3C4C5C6C7C8C9CACBCCCDCECFD0D1D2D3D4D5D6D7D8D9DADBDCDDDEDFE0E1E2E3E4E5E6E7E8E9EAEBECEDEEEFF0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF"
        + "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F202122232425262728292A2B";

    [Fact]
    public void Extended_encodings_of_short_sizes_parse_and_re_encode_short()
    {
        var apdu = CommandApdu.Parse(Hex.Bytes("002A0000000003AABBCC0100"));
        Assert.Equal("AABBCC", Hex.Of(apdu.Data.Span));
        Assert.Equal(256, apdu.ExpectedLength);
        Assert.Equal("002A000003AABBCC00", Hex.Of(apdu.ToArray()));
        Assert.Equal(0x100, CommandApdu.Parse(Hex.Bytes("00B08A00000100")).ExpectedLength);
    }

    [Fact]
    public void Parse_reads_Le_00_as_256_and_0000_as_65536()
    {
        Assert.Equal(256, CommandApdu.Parse(Hex.Bytes("00B08A0000")).ExpectedLength);
        Assert.Equal(65536, CommandApdu.Parse(Hex.Bytes("00B08A00000000")).ExpectedLength);
        var verify = CommandApdu.Parse(Hex.Bytes("0020009804 31323334"));
        Assert.Equal("31323334", Hex.Of(verify.Data.Span));
        Assert.Null(verify.ExpectedLength);
    }

    [Theory]
    [InlineData("")]
    [InlineData("00A404")]
    [InlineData("00A4040C0501020304")]
    [InlineData("00A4040C02010203FFFF")]
    [InlineData("00B000000000")]
    [InlineData("002A0000000003AABB")]
    public void Parse_rejects_malformed_commands(string hex)
    {
        Assert.False(CommandApdu.TryParse(Hex.Bytes(hex), out _));
    }

    [Fact]
    public void ToString_never_prints_the_data_field()
    {
        var verify = new CommandApdu(0x00, 0x20, 0x00, 0x98, "1234"u8.ToArray());
        Assert.Equal("00 20 00 98 Lc=4", verify.ToString());
        Assert.DoesNotContain("31", verify.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_rejects_impossible_lengths()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CommandApdu(0, 0xB0, 0, 0, default, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CommandApdu(0, 0xB0, 0, 0, default, 65537));
    }
}

public sealed class ResponseApduTests
{
    [Fact]
    public void Splits_data_and_status_word()
    {
        Assert.True(ResponseApdu.TryParse(Hex.Bytes("0102039000"), out var response));
        Assert.Equal("010203", Hex.Of(response.Data.Span));
        Assert.True(response.IsSuccess);
        Assert.Equal("0102039000", Hex.Of(response.ToArray()));
    }

    [Fact]
    public void Fewer_than_two_bytes_is_not_a_response()
    {
        Assert.False(ResponseApdu.TryParse([0x90], out _));
        Assert.False(ResponseApdu.TryParse([], out _));
    }
}

public sealed class StatusWordTests
{
    [Theory]
    [InlineData(0x63C3, 3, false)]
    [InlineData(0x63C1, 1, false)]
    [InlineData(0x63C0, 0, true)]
    public void Tries_left_and_blocked_come_from_63Cx(int value, int tries, bool blocked)
    {
        var sw = new StatusWord((ushort)value);
        Assert.Equal(tries, sw.TriesLeft);
        Assert.Equal(blocked, sw.IsBlocked);
        Assert.False(sw.IsSuccess);
    }

    [Theory]
    [InlineData(0x6984)]
    [InlineData(0x6983)]
    [InlineData(0x63C0)]
    public void Locked_keys_are_blocked(int value) => Assert.True(new StatusWord((ushort)value).IsBlocked);

    [Theory]
    [InlineData(0x9000)]
    [InlineData(0x6A82)]
    [InlineData(0x6300)]
    [InlineData(0x6982)]
    public void Other_status_words_carry_no_tries(int value)
    {
        Assert.Null(new StatusWord((ushort)value).TriesLeft);
        Assert.False(new StatusWord((ushort)value).IsBlocked);
    }

    [Fact]
    public void Formats_and_builds()
    {
        Assert.Equal("6A 82", StatusWord.FileNotFound.ToString());
        Assert.Equal(new StatusWord(0x63, 0xC2), StatusWord.TriesRemaining(2));
        Assert.True(StatusWord.Success.IsSuccess);
        Assert.Equal("file or application not found", StatusWord.FileNotFound.Describe());
        Assert.Throws<ArgumentOutOfRangeException>(() => StatusWord.TriesRemaining(16));
    }
}
