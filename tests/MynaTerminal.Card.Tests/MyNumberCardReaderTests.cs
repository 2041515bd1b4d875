using MynaTerminal.Card.Data;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Card.Tests;

public sealed class MyNumberCardReaderTests
{
    private static CancellationToken Ct => ReaderHarness.Ct;

    private static Pin PinOf(string digits) => Pin.FromDigits(digits.Select(c => c - '0').ToArray());

    private static MatchingNumberB NumberOf(string digits)
    {
        Assert.True(MatchingNumberB.TryCreate(digits, DateTimeOffset.UtcNow, out var number), digits);
        return number!;
    }

    public static TheoryData<string, CardKind, string, bool, bool> Personas => new()
    {
        // persona, kind, PIN status, has face photo, certificate read without PIN
        { "normal", CardKind.Card, "Ready(3)", true, true },
        { "expiring", CardKind.Card, "Ready(3)", true, true },
        { "grace", CardKind.Card, "Ready(3)", true, true },
        { "expired", CardKind.Card, "Ready(3)", true, true },
        { "last-try", CardKind.Card, "Ready(1)", true, true },
        { "pin-blocked", CardKind.Card, "Blocked", true, true },
        { "face-only", CardKind.Card, "NotIssued", true, true },
        { "android", CardKind.Android, "Ready(3)", false, false },
        { "iphone", CardKind.IPhone, "Ready(3)", false, true },
    };

    [Theory]
    [MemberData(nameof(Personas))]
    public async Task Every_persona_reads_as_expected(string persona, CardKind kind, string pin, bool hasPhoto, bool certificateFree)
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create(persona);
        var presence = await h.InsertAsync(card);
        Assert.Equal(card.Persona.Role, presence.Role);
        Assert.True(presence.Present);

        var snapshot = Assert.IsType<CardReadOutcome.Read>(await h.Reader.ReadAsync(Ct)).Card;

        Assert.Equal(kind, snapshot.Kind);
        Assert.Equal(hasPhoto, snapshot.HasFacePhoto);
        Assert.Equal(pin, snapshot.Pin switch
        {
            PinStatus.Ready r => $"Ready({r.TriesLeft})",
            PinStatus.Blocked => "Blocked",
            PinStatus.NotIssued => "NotIssued",
            _ => "?",
        });
        if (certificateFree)
        {
            var certificate = Assert.IsType<CertificateInfo>(snapshot.Certificate);
            var expected = DateTimeOffset.UtcNow + card.Persona.CertificateExpiresIn;
            Assert.InRange(certificate.NotAfter, expected.AddSeconds(-30), expected.AddSeconds(2));
            Assert.Equal(card.AuthenticationCertificate!.SerialNumber, certificate.SerialNumberHex);
            Assert.Equal(EmulatorPki.AuthCaSubject, certificate.Issuer);
            Assert.Equal(card.AuthenticationCertificateDer.ToArray(), certificate.Der.ToArray());
        }
        else
        {
            Assert.Null(snapshot.Certificate);
        }

        // Reading sends no secret and touches nothing but JPKI and the 券面AP SELECT.
        Assert.DoesNotContain(card.AuditLog, e => e.IsVerifyWithData || e.IsSignature);
        Assert.All(card.AuditLog, e => Assert.True(e.Application is CardApplication.None or CardApplication.Jpki, e.ToString()));
    }

    [Fact]
    public async Task A_chip_without_JPKI_is_not_a_My_Number_Card()
    {
        await using var h = new ReaderHarness();
        Assert.IsType<CardReadOutcome.NotMyNumberCard>(await h.InsertAndReadAsync(VirtualCard.Create("unknown")));
    }

    [Fact]
    public async Task Certificate_expiry_spans_the_personas()
    {
        await using var h = new ReaderHarness();
        var now = DateTimeOffset.UtcNow;
        var notAfter = new Dictionary<string, DateTimeOffset>();
        foreach (var id in new[] { "normal", "expiring", "grace", "expired" })
        {
            var card = VirtualCard.Create(id);
            var read = Assert.IsType<CardReadOutcome.Read>(await h.InsertAndReadAsync(card));
            notAfter[id] = read.Card.Certificate!.NotAfter;
            h.Terminal.Remove(VirtualCardTerminal.DefaultCardTrayReader);
            Assert.False((await h.NextPresenceAsync()).Present);
        }

        Assert.True(notAfter["normal"] > now.AddYears(2));
        Assert.InRange(notAfter["expiring"], now.AddDays(44), now.AddDays(46));
        Assert.InRange(notAfter["grace"], now.AddDays(-31), now.AddDays(-29));
        Assert.InRange(notAfter["expired"], now.AddDays(-201), now.AddDays(-199));
    }

    [Fact]
    public async Task Right_PIN_verifies_and_the_card_signs_the_terminal_nonce()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("normal");
        var snapshot = Assert.IsType<CardReadOutcome.Read>(await h.InsertAndReadAsync(card)).Card;
        var pin = PinOf("1234");

        var outcome = await h.Reader.VerifyPinAsync(pin, Ct);

        Assert.IsType<PinOutcome.Verified>(outcome);
        Assert.Equal("Pin(****)", pin.ToString());
        Assert.Throws<ObjectDisposedException>(() => pin.CopyAsciiTo(new byte[4])); // the reader disposed it
        var proof = Assert.IsType<PossessionProof>(h.Reader.LastProof);
        Assert.Equal(32, proof.Nonce.Length);
        Assert.True(CertificateParser.VerifySignature(snapshot.Certificate!, proof.Nonce, proof.Signature));
        Assert.False(CertificateParser.VerifySignature(snapshot.Certificate!, [.. proof.Nonce, 0], proof.Signature));
        Assert.Single(card.AuditLog, e => e.IsVerifyWithData);
        Assert.Equal(3, card.TriesLeft(CardApplication.Jpki, 0x0018));
    }

    [Fact]
    public async Task Wrong_PINs_count_down_then_block()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("normal");
        await h.InsertAndReadAsync(card);

        Assert.Equal(2, Assert.IsType<PinOutcome.Wrong>(await h.Reader.VerifyPinAsync(PinOf("0000"), Ct)).TriesLeft);
        Assert.Equal(1, Assert.IsType<PinOutcome.Wrong>(await h.Reader.VerifyPinAsync(PinOf("0000"), Ct)).TriesLeft);
        Assert.IsType<PinOutcome.Blocked>(await h.Reader.VerifyPinAsync(PinOf("0000"), Ct)); // 63 C0
        Assert.IsType<PinOutcome.Blocked>(await h.Reader.VerifyPinAsync(PinOf("1234"), Ct)); // 69 84
        Assert.Null(h.Reader.LastProof);

        var again = Assert.IsType<CardReadOutcome.Read>(await h.Reader.ReadAsync(Ct)).Card;
        Assert.IsType<PinStatus.Blocked>(again.Pin);
    }

    [Fact]
    public async Task Last_try_wrong_blocks_and_right_restores()
    {
        await using (var h = new ReaderHarness())
        {
            await h.InsertAndReadAsync(VirtualCard.Create("last-try"));
            Assert.IsType<PinOutcome.Blocked>(await h.Reader.VerifyPinAsync(PinOf("0000"), Ct));
        }

        await using (var h = new ReaderHarness())
        {
            var card = VirtualCard.Create("last-try");
            await h.InsertAndReadAsync(card);
            Assert.IsType<PinOutcome.Verified>(await h.Reader.VerifyPinAsync(PinOf("4321"), Ct));
            Assert.Equal(3, card.TriesLeft(CardApplication.Jpki, 0x0018));
        }
    }

    [Fact]
    public async Task Blocked_and_PIN_less_cards()
    {
        await using var h = new ReaderHarness();
        await h.InsertAndReadAsync(VirtualCard.Create("pin-blocked"));
        Assert.IsType<PinOutcome.Blocked>(await h.Reader.VerifyPinAsync(PinOf("5555"), Ct));
        h.Terminal.Remove(VirtualCardTerminal.DefaultCardTrayReader);
        await h.NextPresenceAsync();

        await h.InsertAndReadAsync(VirtualCard.Create("face-only"));
        var failed = Assert.IsType<PinOutcome.Failed>(await h.Reader.VerifyPinAsync(PinOf("1234"), Ct));
        Assert.Contains("no PIN", failed.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Android_gives_its_certificate_only_after_the_PIN()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("android");
        var presence = await h.InsertAsync(card);
        Assert.Equal(ReaderRole.Phone, presence.Role);
        Assert.Null(Assert.IsType<CardReadOutcome.Read>(await h.Reader.ReadAsync(Ct)).Card.Certificate);

        var verified = Assert.IsType<PinOutcome.Verified>(await h.Reader.VerifyPinAsync(PinOf("8642"), Ct));

        var certificate = Assert.IsType<CertificateInfo>(verified.Certificate);
        Assert.Equal(card.AuthenticationCertificate!.SerialNumber, certificate.SerialNumberHex);
        Assert.True(CertificateParser.VerifySignature(certificate, h.Reader.LastProof!.Nonce, h.Reader.LastProof.Signature));
    }

    [Fact]
    public async Task IPhone_confirms_on_the_phone_without_a_PIN()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("iphone");
        var snapshot = Assert.IsType<CardReadOutcome.Read>(await h.InsertAndReadAsync(card)).Card;

        var confirmed = Assert.IsType<PhoneOutcome.Confirmed>(await h.Reader.ConfirmOnPhoneAsync(Ct));

        Assert.Equal(snapshot.Certificate!.SerialNumberHex, confirmed.Certificate.SerialNumberHex);
        Assert.True(CertificateParser.VerifySignature(confirmed.Certificate, h.Reader.LastProof!.Nonce, h.Reader.LastProof.Signature));
        Assert.DoesNotContain(card.AuditLog, e => e.IsVerifyWithData);

        card.Faults.PhoneDeclines = true;
        Assert.IsType<PhoneOutcome.Declined>(await h.Reader.ConfirmOnPhoneAsync(Ct));
    }

    [Fact]
    public async Task Phone_confirmation_is_only_for_the_iPhone()
    {
        await using var h = new ReaderHarness();
        await h.InsertAndReadAsync(VirtualCard.Create("normal"));
        Assert.IsType<PhoneOutcome.Failed>(await h.Reader.ConfirmOnPhoneAsync(Ct));
    }

    [Fact]
    public async Task Face_photo_reads_the_counter_first_verifies_once_and_decodes_to_the_photo_size()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("normal");
        await h.InsertAndReadAsync(card);
        card.ClearAuditLog();

        var photo = Assert.IsType<FacePhotoOutcome.Photo>(await h.Reader.ReadFacePhotoAsync(NumberOf(card.Persona.MatchingNumberB), Ct));

        Assert.Equal(card.Photo!.Width, photo.Image.Width);
        Assert.Equal(card.Photo.Height, photo.Image.Height);
        Assert.Equal(photo.Image.Width * photo.Image.Height * 3, photo.Image.Bgr.Length);
        var log = card.AuditLog;
        var counter = log.ToList().FindIndex(e => e.IsVerify && !e.IsVerifyWithData && e.Target == 0x0012);
        var verify = log.ToList().FindIndex(e => e.IsVerifyWithData);
        var read = log.ToList().FindIndex(e => e.Touches(CardApplication.CardFace, 0x0002));
        Assert.InRange(counter, 0, verify - 1);
        Assert.InRange(verify, 0, read - 1);
        Assert.Single(log, e => e.IsVerifyWithData);
        Assert.Equal(CardApplication.CardFace, log[verify].Application);
        Assert.Equal((ushort)0x0012, log[verify].Target);
        Assert.Equal(14, log[verify].Data.Length);
        Assert.Equal(10, card.TriesLeft(CardApplication.CardFace, 0x0012));
    }

    [Fact]
    public async Task A_wrong_number_spends_exactly_one_try()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("normal");
        await h.InsertAndReadAsync(card);
        var rejected = Assert.IsType<FacePhotoOutcome.Rejected>(await h.Reader.ReadFacePhotoAsync(NumberOf("60040120349999"), Ct));
        Assert.Equal(9, rejected.TriesLeft);
        Assert.Equal(9, card.TriesLeft(CardApplication.CardFace, 0x0012));
        Assert.Single(card.AuditLog, e => e.IsVerifyWithData);
    }

    [Fact]
    public async Task Too_few_tries_left_refuses_without_a_VERIFY()
    {
        await using var h = new ReaderHarness();
        var card = new VirtualCard(VirtualCardPersonas.Normal with { MatchingNumberTriesLeft = 2 });
        await h.InsertAndReadAsync(card);
        var rejected = Assert.IsType<FacePhotoOutcome.Rejected>(await h.Reader.ReadFacePhotoAsync(NumberOf(card.Persona.MatchingNumberB), Ct));
        Assert.Equal(2, rejected.TriesLeft);
        Assert.DoesNotContain(card.AuditLog, e => e.IsVerifyWithData);
        Assert.Equal(2, card.TriesLeft(CardApplication.CardFace, 0x0012));
    }

    [Fact]
    public async Task A_blocked_matching_number_refuses_without_a_VERIFY()
    {
        await using var h = new ReaderHarness();
        var card = new VirtualCard(VirtualCardPersonas.Normal with { MatchingNumberTriesLeft = 0 });
        await h.InsertAndReadAsync(card);
        Assert.Equal(0, Assert.IsType<FacePhotoOutcome.Rejected>(await h.Reader.ReadFacePhotoAsync(NumberOf(card.Persona.MatchingNumberB), Ct)).TriesLeft);
        Assert.DoesNotContain(card.AuditLog, e => e.IsVerifyWithData);
    }

    [Theory]
    [InlineData("6004012034042")] // 13 digits
    [InlineData("60040120340427X")]
    [InlineData("60130120340427")] // month 13
    [InlineData("60043220340427")] // day 32
    [InlineData("60040120990427")] // expiry year implausible
    public async Task A_badly_formed_number_is_never_VERIFYed(string digits)
    {
        // The number cannot even be built, so nothing can carry it to the card …
        Assert.False(MatchingNumberB.TryCreate(digits, DateTimeOffset.UtcNow, out _));

        // … and the guard refuses any 照合番号B VERIFY that is not exactly 14 ASCII digits.
        var card = VirtualCard.Create("normal");
        var guard = new ApduGuard(new CardTransport(card));
        await guard.TransmitAsync(Apdu.CommandApdu.Parse(Hex.Bytes(Hex.SelectCardFace)), Ct);
        var data = System.Text.Encoding.ASCII.GetBytes(digits);
        var verify = new Apdu.CommandApdu(0x00, 0x20, 0x00, 0x92, data);
        if (digits.Length != 14 || !digits.All(char.IsAsciiDigit))
        {
            Assert.IsType<GuardResult.Refused>(await guard.TransmitAsync(verify, Ct));
            Assert.DoesNotContain(card.AuditLog, e => e.IsVerifyWithData);
        }
    }

    [Fact]
    public async Task Without_a_trust_anchor_the_face_path_spends_no_try()
    {
        await using var h = new ReaderHarness(noAnchors: true);
        var card = VirtualCard.Create("normal");
        await h.InsertAndReadAsync(card);
        var failed = Assert.IsType<FacePhotoOutcome.Failed>(await h.Reader.ReadFacePhotoAsync(NumberOf(card.Persona.MatchingNumberB), Ct));
        Assert.Contains("trust anchor", failed.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(card.AuditLog, e => e.IsVerifyWithData);
    }

    [Fact]
    public async Task An_untrusted_card_face_certificate_is_refused_before_the_VERIFY()
    {
        using var other = System.Security.Cryptography.RSA.Create(2048);
        var anchors = new CardFaceTrustAnchors([other.ExportParameters(false)]);
        await using var h = new ReaderHarness(anchors: anchors);
        var card = VirtualCard.Create("normal");
        await h.InsertAndReadAsync(card);
        var failed = Assert.IsType<FacePhotoOutcome.Failed>(await h.Reader.ReadFacePhotoAsync(NumberOf(card.Persona.MatchingNumberB), Ct));
        Assert.Contains("not signed by a trusted anchor", failed.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(card.AuditLog, e => e.IsVerifyWithData);
        Assert.Equal(10, card.TriesLeft(CardApplication.CardFace, 0x0012));
    }

    [Fact]
    public async Task The_trust_anchor_can_come_from_a_PEM_file_in_the_options()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mynaterm-anchor-{Guid.NewGuid():N}.pem");
        EmulatorPki.WriteCardFaceTrustAnchor(path);
        try
        {
            await using var h = new ReaderHarness(new CardOptions { CardFaceTrustAnchorPath = path, ConnectRetryDelay = TimeSpan.Zero }, noAnchors: true);
            var card = VirtualCard.Create("expiring");
            await h.InsertAndReadAsync(card);
            Assert.IsType<FacePhotoOutcome.Photo>(await h.Reader.ReadFacePhotoAsync(NumberOf(card.Persona.MatchingNumberB), Ct));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Phones_have_no_face_photo_path()
    {
        await using var h = new ReaderHarness();
        await h.InsertAndReadAsync(VirtualCard.Create("android"));
        Assert.IsType<FacePhotoOutcome.Failed>(await h.Reader.ReadFacePhotoAsync(NumberOf("02061520310707"), Ct));
    }

    [Fact]
    public async Task The_face_only_card_gives_its_photo()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("face-only");
        await h.InsertAndReadAsync(card);
        Assert.Equal("010501", card.Persona.MatchingNumberB[..6]); // 令和元年5月1日
        Assert.IsType<FacePhotoOutcome.Photo>(await h.Reader.ReadFacePhotoAsync(NumberOf(card.Persona.MatchingNumberB), Ct));
    }

    [Fact]
    public async Task Release_unpowers_the_card_so_no_verified_key_survives()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("normal");
        await h.InsertAndReadAsync(card);
        Assert.IsType<PinOutcome.Verified>(await h.Reader.VerifyPinAsync(PinOf("1234"), Ct));
        Assert.True(h.Terminal.IsHeldExclusively(VirtualCardTerminal.DefaultCardTrayReader));

        await h.Reader.ReleaseAsync(Ct);

        Assert.False(card.IsPowered);
        Assert.False(card.IsVerified(0x0018));
        Assert.False(h.Terminal.IsHeldExclusively(VirtualCardTerminal.DefaultCardTrayReader));
        Assert.IsType<PinOutcome.Failed>(await h.Reader.VerifyPinAsync(PinOf("1234"), Ct));
    }

    [Fact]
    public async Task Basic_four_information_only_when_configured_and_never_the_My_Number()
    {
        await using (var off = new ReaderHarness())
        {
            var card = VirtualCard.Create("normal");
            await off.InsertAndReadAsync(card);
            Assert.IsType<BasicFourOutcome.Disabled>(await off.Reader.ReadBasicFourInformationAsync(NumberOf(card.Persona.MatchingNumberB), Ct));
            Assert.DoesNotContain(card.AuditLog, e => e.SelectedApplication == CardApplication.TextAssist);
        }

        await using var on = new ReaderHarness(new CardOptions { ReadBasicFourInformation = true, ConnectRetryDelay = TimeSpan.Zero });
        var card2 = VirtualCard.Create("normal");
        await on.InsertAndReadAsync(card2);
        var read = Assert.IsType<BasicFourOutcome.Read>(await on.Reader.ReadBasicFourInformationAsync(NumberOf(card2.Persona.MatchingNumberB), Ct));
        Assert.Equal("山田\u3000太郎", read.Information.Name);
        Assert.Equal("19850401", read.Information.BirthDate);
        Assert.Equal("1", read.Information.Sex);
        Assert.Equal("BasicFourInformation(****)", read.Information.ToString());
        Assert.DoesNotContain(card2.AuditLog, e => e.Touches(CardApplication.TextAssist, 0x0001) || e.Touches(CardApplication.TextAssist, 0x0003) || e.Touches(CardApplication.TextAssist, 0x0014));
    }

    [Fact]
    public async Task No_card_means_removed_and_a_held_card_means_unreadable()
    {
        await using var h = new ReaderHarness();
        Assert.IsType<CardReadOutcome.Removed>(await h.Reader.ReadAsync(Ct));

        await h.InsertAsync(VirtualCard.Create("normal"));
        var other = Assert.IsType<ConnectResult.Connected>(await h.Terminal.ConnectAsync(VirtualCardTerminal.DefaultCardTrayReader, exclusive: true, Ct));
        var busy = Assert.IsType<CardReadOutcome.Unreadable>(await h.Reader.ReadAsync(Ct));
        Assert.Contains("another process", busy.Detail, StringComparison.Ordinal);
        await other.Connection.DisposeAsync();
        Assert.IsType<CardReadOutcome.Read>(await h.Reader.ReadAsync(Ct));
    }

    [Fact]
    public async Task Operations_before_a_read_fail_cleanly()
    {
        await using var h = new ReaderHarness();
        Assert.IsType<PinOutcome.Failed>(await h.Reader.VerifyPinAsync(PinOf("1234"), Ct));
        Assert.IsType<FacePhotoOutcome.Failed>(await h.Reader.ReadFacePhotoAsync(NumberOf("60040120340427"), Ct));
        Assert.IsType<PhoneOutcome.Failed>(await h.Reader.ConfirmOnPhoneAsync(Ct));
    }

    [Fact]
    public async Task Removal_is_reported_with_the_role()
    {
        await using var h = new ReaderHarness();
        await h.InsertAsync(VirtualCard.Create("iphone"));
        Assert.Equal(VirtualCardTerminal.DefaultPhoneReader, h.Reader.ActiveReaderName);
        h.Terminal.Remove(VirtualCardTerminal.DefaultPhoneReader);
        var gone = await h.NextPresenceAsync();
        Assert.Equal(new CardPresence(ReaderRole.Phone, false), gone);
        Assert.Null(h.Reader.ActiveReaderName);
    }
}
