using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MynaTerminal.Card.Apdu;
using MynaTerminal.Card.Data;
using MynaTerminal.Card.Emulator;

namespace MynaTerminal.Card.Tests;

/// <summary>The virtual card against card-protocol.md §12.</summary>
public sealed class EmulatorChecklistTests
{
    private const string VerifyPin1234 = "0020009804 31323334";
    private const string VerifyPin0000 = "0020009804 30303030";
    private static readonly string Sign = "802A009733" + Hex.Of(RsaPkcs1.Sha256DigestInfo("terminal nonce"u8)) + "00";

    private static VirtualCard PoweredCard(string persona = "normal")
    {
        var card = VirtualCard.Create(persona);
        card.PowerOn();
        return card;
    }

    [Fact]
    public void Power_off_clears_verified_keys()
    {
        var card = PoweredCard();
        Assert.Equal(StatusWord.Success, card.Send(Hex.SelectJpki).Sw);
        Assert.Equal(StatusWord.Success, card.Send(VerifyPin1234).Sw);
        Assert.Equal(StatusWord.Success, card.Send(Sign).Sw);

        card.PowerOff();
        card.PowerOn();
        Assert.Equal(StatusWord.Success, card.Send(Hex.SelectJpki).Sw);
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send(Sign).Sw);
    }

    [Fact]
    public void Selecting_another_application_clears_verified_keys()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        card.Send(VerifyPin1234);
        Assert.True(card.IsVerified(0x0018));
        Assert.Equal(StatusWord.Success, card.Send(Hex.SelectCardFace).Sw);
        Assert.False(card.IsVerified(0x0018));
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send(Sign).Sw);
    }

    [Fact]
    public void Warm_reset_and_reselecting_the_same_application_keep_verified_keys()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        card.Send(VerifyPin1234);
        card.WarmReset();
        Assert.Equal(StatusWord.Success, card.Send(Hex.SelectJpki).Sw);
        Assert.Equal(StatusWord.Success, card.Send(Sign).Sw);
    }

    [Fact]
    public void Wrong_PINs_answer_63Cx_then_63C0_then_6984()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.TriesRemaining(2), card.Send(VerifyPin0000).Sw);
        Assert.Equal(StatusWord.TriesRemaining(1), card.Send(VerifyPin0000).Sw);
        Assert.Equal(new StatusWord(0x63C0), card.Send(VerifyPin0000).Sw);
        Assert.Equal(StatusWord.ReferenceDataBlocked, card.Send(VerifyPin1234).Sw); // even the right one
        Assert.Equal(StatusWord.ReferenceDataBlocked, card.Send(VerifyPin0000).Sw);
        Assert.Equal(new StatusWord(0x63C0), card.Send("00200098").Sw); // the empty VERIFY on a blocked key
    }

    [Fact]
    public void Counters_persist_across_power_cycles_and_the_right_PIN_restores_them()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.TriesRemaining(2), card.Send(VerifyPin0000).Sw);
        card.PowerOff();
        card.PowerOn();
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.TriesRemaining(2), card.Send("00200098").Sw);
        Assert.Equal(2, card.TriesLeft(CardApplication.Jpki, 0x0018));
        Assert.Equal(StatusWord.Success, card.Send(VerifyPin1234).Sw);
        Assert.Equal(StatusWord.TriesRemaining(3), card.Send("00200098").Sw);
    }

    [Fact]
    public void The_empty_VERIFY_costs_nothing_in_either_form()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(StatusWord.TriesRemaining(3), card.Send("00200098").Sw);
        }

        card.Send("00A4020C020018");
        Assert.Equal(StatusWord.TriesRemaining(3), card.Send("00200080").Sw);
        card.Send(Hex.SelectCardFace);
        Assert.Equal(StatusWord.TriesRemaining(10), card.Send("00200092").Sw);
    }

    [Fact]
    public void READ_BINARY_by_SFI_then_by_offset_on_the_now_current_EF()
    {
        var card = PoweredCard();
        var der = card.AuthenticationCertificateDer.ToArray();
        card.Send(Hex.SelectJpki);
        var (head, sw) = card.Send("00B08A0004");
        Assert.Equal(StatusWord.Success, sw);
        Assert.Equal(der[..4], head);
        Assert.Equal((ushort)0x000A, card.CurrentFile);
        var (next, sw2) = card.Send("00B0000408");
        Assert.Equal(StatusWord.Success, sw2);
        Assert.Equal(der[4..12], next);
    }

    [Fact]
    public void READ_BINARY_by_SELECT_then_offset_and_with_extended_Le()
    {
        var card = PoweredCard();
        var der = card.AuthenticationCertificateDer.ToArray();
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.Success, card.Send("00A4020C02000A").Sw);
        var (chunk, _) = card.Send("00B0010000");
        Assert.Equal(der[256..512], chunk);
        var (whole, sw) = card.Send("00B08A00000000");
        Assert.Equal(StatusWord.Success, sw);
        Assert.Equal(2048, whole.Length); // the physical file: certificate + FF filler
        Assert.Equal(der, whole[..der.Length]);
        Assert.All(whole[der.Length..], b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void READ_BINARY_returns_up_to_the_end_then_6B00_past_it()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        var (token, sw) = card.Send("00B0860000");
        Assert.Equal(StatusWord.Success, sw);
        Assert.Equal(160, token.Length); // Le 256 on a 160-byte file: the rest of the file
        var (tail, _) = card.Send("00B0009000");
        Assert.Equal(16, tail.Length);
        Assert.Equal(StatusWord.OffsetBeyondEnd, card.Send("00B000A001").Sw);
        Assert.Equal(StatusWord.OffsetBeyondEnd, card.Send("00B0100000").Sw);
    }

    [Fact]
    public void Unknown_files_and_applications_answer_6A82()
    {
        var card = PoweredCard();
        Assert.Equal(StatusWord.FileNotFound, card.Send("00A4040C0AD392F000260100000099").Sw);
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.FileNotFound, card.Send("00A4020C020099").Sw);
        Assert.Equal(StatusWord.FileNotFound, card.Send("00B09E0000").Sw);
        Assert.Equal(StatusWord.FileNotFound, card.Send("00A4000C023F00").Sw);
    }

    [Fact]
    public void Internal_EFs_answer_6981_and_protected_files_6982()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.IncompatibleFileStructure, card.Send("00B0970000").Sw);
        card.Send("00A4020C020018");
        Assert.Equal(StatusWord.IncompatibleFileStructure, card.Send("00B0000000").Sw);
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send("00B0810000").Sw); // signature certificate needs 001B
        card.Send(Hex.SelectCardFace);
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send("00B0820000").Sw);
        Assert.Equal(StatusWord.Success, card.Send("00B0840000").Sw); // CV certificate: free
        Assert.Equal(StatusWord.Success, card.Send("00B0830000").Sw); // AP info: free
    }

    [Fact]
    public void Access_matrix_of_the_card_face_and_text_applications()
    {
        var card = PoweredCard();
        var b = Hex.Of(System.Text.Encoding.ASCII.GetBytes(card.Persona.MatchingNumberB));
        card.Send(Hex.SelectCardFace);
        Assert.Equal(StatusWord.Success, card.Send("002000920E" + b).Sw);
        Assert.Equal(StatusWord.Success, card.Send("00B0820000").Sw);
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send("00B0850000").Sw); // 0005 needs 照合番号A
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send("00B0810000").Sw); // 0001 needs the birth-date key
        Assert.Equal(StatusWord.Success, card.Send("00B0860000").Sw);

        card.Send(Hex.SelectTextAssist);
        Assert.Equal(StatusWord.Success, card.Send("002000950E" + b).Sw);
        Assert.Equal(StatusWord.Success, card.Send("00B0820000").Sw); // 基本4情報
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send("00B0810000").Sw); // B does not open the 個人番号
        Assert.Equal(StatusWord.Success, card.Send("00B0830000").Sw);
        Assert.Equal(new StatusWord(0x63C0), card.Send("00200092").Sw); // text EF 0012: the always-blocked key
    }

    [Fact]
    public void Android_certificate_needs_the_PIN_and_phones_have_only_JPKI()
    {
        var card = PoweredCard("android");
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send("00B08A0000").Sw);
        card.Send("0020009804" + Hex.Of("8642"u8));
        Assert.Equal(StatusWord.Success, card.Send("00B08A0000").Sw);
        Assert.Equal(StatusWord.FileNotFound, card.Send(Hex.SelectCardFace).Sw);
        Assert.StartsWith("JPKIAPGPSETOKEN ", System.Text.Encoding.ASCII.GetString(PoweredCardToken("android")), StringComparison.Ordinal);
    }

    private static byte[] PoweredCardToken(string persona)
    {
        var card = PoweredCard(persona);
        card.Send(Hex.SelectJpki);
        return card.Send("00B0860020").Data;
    }

    [Fact]
    public void Token_info_is_160_bytes_with_a_space_padded_label()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        var (token, _) = card.Send("00B0860000");
        Assert.Equal(160, token.Length);
        Assert.Equal("JPKIAPICCTOKEN2                 ", System.Text.Encoding.ASCII.GetString(token, 0, 32));
        Assert.StartsWith("JPKIAPIOSTOKEN ", System.Text.Encoding.ASCII.GetString(PoweredCardToken("iphone")), StringComparison.Ordinal);
    }

    [Fact]
    public void Signatures_are_PKCS1_over_the_given_DigestInfo_and_verify_with_the_certificate()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        card.Send(VerifyPin1234);
        var (bySfi, sw) = card.Send(Sign);
        Assert.Equal(StatusWord.Success, sw);
        Assert.Equal(256, bySfi.Length);
        using var key = card.AuthenticationCertificate!.GetRSAPublicKey()!;
        Assert.True(key.VerifyData("terminal nonce"u8, bySfi, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

        card.Send("00A4020C020017");
        var (byCurrentEf, _) = card.Send("802A008033" + Sign[10..]);
        Assert.Equal(bySfi, byCurrentEf);
        var (scheme2, _) = card.Send("802A029720" + Hex.Of(SHA256.HashData("terminal nonce"u8)) + "00");
        Assert.Equal(bySfi, scheme2);
        var (scheme3, _) = card.Send("802A03970E" + Hex.Of("terminal nonce"u8) + "00");
        Assert.Equal(bySfi, scheme3);
        Assert.Equal(StatusWord.WrongParameters, card.Send("802A069733" + Sign[10..]).Sw);
        Assert.Equal(StatusWord.WrongLength, card.Send("802A029705AABBCCDDEE00").Sw);
    }

    [Fact]
    public void Signing_needs_the_PIN_except_on_the_iPhone_token()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send(Sign).Sw);

        var phone = PoweredCard("iphone");
        phone.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.Success, phone.Send(Sign).Sw);
        phone.Faults.PhoneDeclines = true;
        Assert.Equal(StatusWord.ConditionsNotSatisfied, phone.Send(Sign).Sw);
        Assert.Equal(StatusWord.Success, phone.Send("80FC0000").Sw);
        Assert.Equal(StatusWord.WrongLength, card.Send("80FC0000").Sw);
    }

    [Fact]
    public void The_face_only_card_has_no_PIN()
    {
        var card = PoweredCard("face-only");
        card.Send(Hex.SelectJpki);
        Assert.Equal(StatusWord.ReferencedDataNotFound, card.Send("00200098").Sw);
        Assert.Equal(StatusWord.FileNotFound, card.Send("00A4020C020018").Sw);
        Assert.Equal(StatusWord.SecurityStatusNotSatisfied, card.Send(Sign).Sw);
    }

    [Fact]
    public void A_chip_that_is_not_a_My_Number_Card_has_no_JPKI()
    {
        var card = PoweredCard("unknown");
        Assert.Equal(StatusWord.FileNotFound, card.Send(Hex.SelectJpki).Sw);
        Assert.Equal(StatusWord.FileNotFound, card.Send(Hex.SelectCardFace).Sw);
    }

    [Fact]
    public void SELECT_MF_is_unreliable_as_documented_and_the_ISD_restores_the_power_on_state()
    {
        var card = PoweredCard();
        Assert.Equal(StatusWord.WrongParameters, card.Send("00A40000").Sw);
        card.Send(Hex.SelectJpki);
        card.Send(VerifyPin1234);
        Assert.Equal(StatusWord.Success, card.Send("00A40000").Sw);
        Assert.Equal(CardApplication.Jpki, card.CurrentApplication);
        Assert.Equal(StatusWord.Success, card.Send("00A4040C07A0000001510000").Sw);
        Assert.Equal(CardApplication.None, card.CurrentApplication);
        Assert.False(card.IsVerified(0x0018));
        Assert.Equal(StatusWord.Success, card.Send("00A4040C05D392F00026").Sw); // prefix select
        Assert.Equal(CardApplication.Jpki, card.CurrentApplication);
    }

    [Fact]
    public void Channels_challenges_and_unknown_instructions()
    {
        var card = PoweredCard();
        Assert.Equal(StatusWord.ChannelNotSupported, card.Send("01A4040C0AD392F000260100000001").Sw);
        var (challenge, sw) = card.Send("0084000010");
        Assert.Equal(StatusWord.Success, sw);
        Assert.Equal(16, challenge.Length);
        Assert.Equal(StatusWord.ConditionsNotSatisfied, card.Send("00840000000200").Sw);
        Assert.Equal(StatusWord.InstructionNotSupported, card.Send("00FE0000").Sw);
        Assert.Equal(StatusWord.ClassNotSupported, card.Send("A0A4040C0AD392F000260100000001").Sw);
        Assert.Equal(StatusWord.WrongLength, card.Send("00A4").Sw);
    }

    [Fact]
    public void The_first_command_after_power_on_can_be_made_to_answer_6F00()
    {
        var card = VirtualCard.Create("normal");
        card.Faults.FirstCommandAfterPowerOnFails = true;
        card.PowerOn();
        Assert.Equal(StatusWord.InternalError, card.Send(Hex.SelectJpki).Sw);
        Assert.Equal(StatusWord.Success, card.Send(Hex.SelectJpki).Sw);
        card.PowerOff();
        card.PowerOn();
        Assert.Equal(StatusWord.InternalError, card.Send(Hex.SelectJpki).Sw);
    }

    [Fact]
    public void An_unpowered_card_does_not_answer()
    {
        var card = VirtualCard.Create("normal");
        Assert.Equal(StatusWord.InternalError, card.Send(Hex.SelectJpki).Sw);
    }

    [Fact]
    public void The_audit_log_records_every_command_with_secrets_masked()
    {
        var card = PoweredCard();
        card.Send(Hex.SelectJpki);
        card.Send(VerifyPin1234);
        card.Send("00B08A0004");
        var log = card.AuditLog;
        Assert.Equal(3, log.Count);
        Assert.Equal(CardApplication.Jpki, log[0].SelectedApplication);
        Assert.True(log[1].IsVerifyWithData);
        Assert.Equal("****", System.Text.Encoding.ASCII.GetString(log[1].Data.Span));
        Assert.Equal((ushort)0x0018, log[1].Target);
        Assert.True(log[2].Touches(CardApplication.Jpki, 0x000A));
        Assert.Equal(StatusWord.Success, log[2].Status);
        Assert.Equal(new[] { 1, 2, 3 }, log.Select(e => e.Sequence));
    }

    [Fact]
    public void Certificates_come_from_a_CA_named_as_a_test()
    {
        var card = VirtualCard.Create("normal");
        var certificate = card.AuthenticationCertificate!;
        Assert.Contains("TEST", certificate.Issuer, StringComparison.Ordinal);
        Assert.DoesNotContain("O=JPKI,", certificate.Issuer, StringComparison.Ordinal);
        Assert.StartsWith("CN=TEST", certificate.Subject, StringComparison.Ordinal);
        Assert.Equal(2048, certificate.GetRSAPublicKey()!.KeySize);
        using var ca = EmulatorPki.AuthCaCertificate;
        using var chain = new System.Security.Cryptography.X509Certificates.X509Chain();
        chain.ChainPolicy.TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck;
        Assert.True(chain.Build(certificate));
    }

    [Fact]
    public void Card_face_record_is_signed_and_chains_to_the_test_anchor()
    {
        var card = PoweredCard();
        var b = Hex.Of(System.Text.Encoding.ASCII.GetBytes(card.Persona.MatchingNumberB));
        card.Send(Hex.SelectCardFace);
        var (cvBytes, _) = card.Send("00B08400000000");
        Assert.Equal(568, cvBytes.Length);
        Assert.True(CvCertificate.TryParse(cvBytes, out var cv, out _));
        Assert.True(cv.IsSignedBy(EmulatorPki.CardFaceTrustAnchors));
        Assert.Equal("7000023", System.Text.Encoding.ASCII.GetString(cv.IssuerKeyId[..7]));
        card.Send("002000920E" + b);
        var (file, _) = card.Send("00B08200000000");
        Assert.True(CardFaceRecord.TryParse(file, out var record, out var error), error);
        Assert.True(record.IsSignedBy(cv));
        Assert.Equal("19850401", record.BirthDate);
        Assert.Equal("20340401", record.CardExpiry);
        Assert.Equal(card.PhotoJp2, record.Photo.ToArray());
        Assert.Equal([0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20], record.Photo[..8].ToArray());
        Assert.Equal(0xFF, file[^1]); // filler after the TLV
    }
}
