using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MynaTerminal.Card.Data;
using MynaTerminal.Card.Emulator;

namespace MynaTerminal.Card.Tests;

public sealed class JapaneseEraTests
{
    [Theory]
    [InlineData("1980-02-17", "550217")] // the card-protocol.md example (昭和55)
    [InlineData("1985-04-01", "600401")]
    [InlineData("1989-01-07", "640107")] // 昭和64, the last day
    [InlineData("1989-01-08", "010108")] // 平成元年
    [InlineData("2019-04-30", "310430")] // 平成31
    [InlineData("2019-05-01", "010501")] // 令和元年
    [InlineData("2020-02-24", "020224")] // "令和2年2月24日生の場合:020224"
    [InlineData("1926-12-25", "011225")] // 昭和元年
    [InlineData("1926-12-24", "151224")] // 大正15
    public void Era_YYMMDD(string date, string expected)
    {
        Assert.Equal(expected, JapaneseEra.ToYyMmDd(DateOnly.Parse(date, CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Agrees_with_the_framework_Japanese_calendar()
    {
        var calendar = new JapaneseCalendar();
        for (var date = new DateOnly(1927, 1, 1); date < new DateOnly(2031, 1, 1); date = date.AddDays(97))
        {
            var expected = calendar.GetYear(date.ToDateTime(TimeOnly.MinValue)) % 100;
            Assert.Equal(expected.ToString("D2", CultureInfo.InvariantCulture), JapaneseEra.ToYyMmDd(date)[..2]);
        }
    }

    [Fact]
    public void Candidates_list_every_era_where_the_date_is_real()
    {
        // 元年 May 1st exists in 令和, 平成 and 明治 (昭和 and 大正 began later in their first year).
        Assert.Equal([new DateOnly(2019, 5, 1), new DateOnly(1989, 5, 1), new DateOnly(1868, 5, 1)], JapaneseEra.Candidates("010501"));
        Assert.Contains(new DateOnly(1980, 2, 17), JapaneseEra.Candidates("550217"));
        Assert.Empty(JapaneseEra.Candidates("551317"));
        Assert.Empty(JapaneseEra.Candidates("5502"));
        Assert.DoesNotContain(new DateOnly(2019, 1, 7), JapaneseEra.Candidates("010107")); // 令和 did not exist yet
    }

    [Fact]
    public void Matching_number_B_is_era_birth_plus_expiry_year_plus_code()
    {
        var persona = VirtualCardPersonas.Normal with { BirthDate = new DateOnly(1980, 2, 17), CardExpiry = new DateOnly(2035, 2, 17), SecurityCode = "2285" };
        Assert.Equal("55021720352285", persona.MatchingNumberB); // the value confirmed on a card (S1)
        Assert.All(VirtualCardPersonas.All.Where(p => p.HasFacePhoto), p =>
            Assert.True(Core.Devices.MatchingNumberB.TryCreate(p.MatchingNumberB, DateTimeOffset.UtcNow, out _), p.Id));
    }
}

public sealed class PersonaTests
{
    [Fact]
    public void Fake_my_numbers_have_valid_check_digits()
    {
        Assert.Equal("123456789018", VirtualCardPersona.MyNumberFrom("12345678901"));
        Assert.All(VirtualCardPersonas.All, p =>
        {
            Assert.Equal(12, p.MyNumber.Length);
            Assert.Equal(p.MyNumber, VirtualCardPersona.MyNumberFrom(p.MyNumber[..11]));
        });
    }

    [Fact]
    public void Persona_ids_are_the_simulation_names()
    {
        Assert.Equal(
            ["normal", "expiring", "grace", "expired", "last-try", "pin-blocked", "face-only", "android", "iphone", "unknown"],
            VirtualCardPersonas.All.Select(p => p.Id));
        Assert.Same(VirtualCardPersonas.FaceOnly, VirtualCardPersonas.Get("FACE-ONLY"));
        Assert.Throws<ArgumentException>(() => VirtualCardPersonas.Get("nobody"));
        Assert.All(VirtualCardPersonas.All.Where(p => p.Kind != VirtualCardKind.NotMyNumberCard), p => Assert.False(string.IsNullOrWhiteSpace(p.HolderName)));
    }
}

public sealed class CertificateParserTests
{
    private static byte[] Der() => VirtualCard.Create("normal").AuthenticationCertificateDer.ToArray();

    [Fact]
    public void Parses_serial_expiry_and_issuer()
    {
        var der = Der();
        using var x509 = X509CertificateLoader.LoadCertificate(der);
        var parsed = Assert.IsType<CertificateParseResult.Parsed>(CertificateParser.Parse(der)).Certificate;
        Assert.Equal(x509.SerialNumber, parsed.SerialNumberHex);
        Assert.Equal(x509.NotAfter.ToUniversalTime(), parsed.NotAfter.UtcDateTime);
        Assert.Equal(TimeSpan.Zero, parsed.NotAfter.Offset);
        Assert.Equal(x509.Issuer, parsed.Issuer);
        Assert.Equal(der, parsed.Der.ToArray());
    }

    [Fact]
    public void Broken_DER_is_a_result_not_an_exception()
    {
        var der = Der();
        Assert.IsType<CertificateParseResult.Invalid>(CertificateParser.Parse([]));
        Assert.IsType<CertificateParseResult.Invalid>(CertificateParser.Parse(der.AsSpan(0, der.Length - 1)));
        Assert.IsType<CertificateParseResult.Invalid>(CertificateParser.Parse([.. der, 0xFF]));
        Assert.IsType<CertificateParseResult.Invalid>(CertificateParser.Parse(Hex.Bytes("300300FF00")));
        var garbled = der.ToArray();
        garbled.AsSpan(10, 40).Fill(0x30);
        Assert.IsType<CertificateParseResult.Invalid>(CertificateParser.Parse(garbled));
    }

    [Fact]
    public void Signature_check_rejects_other_data_and_other_keys()
    {
        var card = VirtualCard.Create("normal");
        card.PowerOn();
        card.Send(Hex.SelectJpki);
        card.Send("0020009804 31323334");
        var (signature, _) = card.Send("802A009733" + Hex.Of(RsaPkcs1.Sha256DigestInfo("abc"u8)) + "00");
        var info = Assert.IsType<CertificateParseResult.Parsed>(CertificateParser.Parse(card.AuthenticationCertificateDer.Span)).Certificate;
        Assert.True(CertificateParser.VerifySignature(info, "abc"u8, signature));
        Assert.False(CertificateParser.VerifySignature(info, "abd"u8, signature));
        var other = Assert.IsType<CertificateParseResult.Parsed>(CertificateParser.Parse(VirtualCard.Create("expiring").AuthenticationCertificateDer.Span)).Certificate;
        Assert.False(CertificateParser.VerifySignature(other, "abc"u8, signature));
    }
}

public sealed class TlvAndRecordTests
{
    [Theory]
    [InlineData("308204B0", 0x30u, 4, 0x4B0)]
    [InlineData("FF20820BB8", 0xFF20u, 5, 0xBB8)]
    [InlineData("DF270481", 0xDF27u, 3, 4)]
    [InlineData("7F2182023300", 0x7F21u, 5, 0x233)]
    [InlineData("FF2065", 0xFF20u, 3, 0x65)]
    [InlineData("0C8120", 0x0Cu, 3, 0x20)]
    public void Header_parsing(string hex, uint tag, int header, int length)
    {
        Assert.True(BerTlv.TryReadHeader(Hex.Bytes(hex), 0, out var tlv));
        Assert.Equal((tag, header, length), (tlv.Tag, tlv.HeaderLength, tlv.ValueLength));
    }

    [Theory]
    [InlineData("")]
    [InlineData("30")]
    [InlineData("3080")]
    [InlineData("3084FFFFFFFF")]
    [InlineData("3082FF")]
    [InlineData("FFFFFFFF01")]
    public void Malformed_headers(string hex) => Assert.False(BerTlv.TryReadHeader(Hex.Bytes(hex), 0, out _));

    [Fact]
    public void A_tampered_card_face_record_does_not_verify()
    {
        var card = VirtualCard.Create("normal");
        card.PowerOn();
        card.Send(Hex.SelectCardFace);
        var (cvBytes, _) = card.Send("00B08400000000");
        card.Send("002000920E" + Hex.Of(System.Text.Encoding.ASCII.GetBytes(card.Persona.MatchingNumberB)));
        var (file, _) = card.Send("00B08200000000");
        Assert.True(CvCertificate.TryParse(cvBytes, out var cv, out _));
        Assert.True(CardFaceRecord.TryParse(file, out var good, out _));
        Assert.True(good.IsSignedBy(cv));

        var photoAt = IndexOf(file, card.PhotoJp2!);
        var tampered = file.ToArray();
        tampered[photoAt + 100] ^= 0x01;
        Assert.True(CardFaceRecord.TryParse(tampered, out var bad, out _));
        Assert.False(bad.IsSignedBy(cv));

        var expiryChanged = file.ToArray(); // DF29 is not signed: changing it keeps the signature valid
        var expiryAt = IndexOf(file, "20340401"u8.ToArray());
        expiryChanged[expiryAt + 3] = (byte)'5';
        Assert.True(CardFaceRecord.TryParse(expiryChanged, out var moved, out _));
        Assert.True(moved.IsSignedBy(cv));
        Assert.Equal("20350401", moved.CardExpiry);

        var shifted = file.ToArray();
        shifted[8] ^= 0x01; // the DF21 offset table
        Assert.False(CardFaceRecord.TryParse(shifted, out _, out var error));
        Assert.Contains("offset table", error, StringComparison.Ordinal);

        Assert.False(CvCertificate.TryParse(cvBytes.AsSpan(0, 100), out _, out _));
        using var stranger = RSA.Create(2048);
        Assert.False(cv.IsSignedBy(new CardFaceTrustAnchors([stranger.ExportParameters(false)])));
    }

    [Fact]
    public void Trust_anchors_load_from_every_PEM_form()
    {
        using var rsa = RSA.Create(2048);
        var pem = EmulatorPki.CardFaceTrustAnchorPem + rsa.ExportSubjectPublicKeyInfoPem() + "\n" + rsa.ExportRSAPublicKeyPem();
        Assert.Equal(3, CardFaceTrustAnchors.FromPem(pem).Keys.Count);
        Assert.Throws<FormatException>(() => CardFaceTrustAnchors.FromPem("no pem here"));
        Assert.Contains("TEST", EmulatorPki.CardFaceCaCertificate.Subject, StringComparison.Ordinal);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
