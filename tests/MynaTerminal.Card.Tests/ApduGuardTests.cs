using System.Reflection;
using MynaTerminal.Card.Apdu;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Card.Transport;

namespace MynaTerminal.Card.Tests;

/// <summary>A transport that answers 90 00 to everything and records what reached it.</summary>
internal sealed class RecordingTransport : IApduTransport
{
    public List<byte[]> Commands { get; } = [];

    public ValueTask<TransportResult> TransmitAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        Commands.Add(command.ToArray());
        return ValueTask.FromResult<TransportResult>(new TransportResult.Response([0x90, 0x00]));
    }
}

public sealed class ApduGuardTests
{
    private const string Twelve = "313233343536373839303132"; // "123456789012"
    private const string Fourteen = "3630303430313230333430343237"; // "60040120340427"

    /// <summary>Where the guard must stand for the forbidden command, and the command (hex).</summary>
    public static TheoryData<string, string, string> Forbidden => new()
    {
        // 照合番号A (= the 個人番号) on any application, by SFI, by current EF, or as data anywhere.
        { "券面AP VERIFY 照合番号A by SFI", "CardFace", "002000930C" + Twelve },
        { "券面AP counter of 照合番号A", "CardFace", "00200093" },
        { "券面AP SELECT EF 0013 (照合番号A)", "CardFace", "00A4020C020013" },
        { "券面AP VERIFY of current EF 0012 with 12 digits", "CardFace/0012", "002000800C" + Twelve },
        { "text AP VERIFY 照合番号A by SFI", "TextAssist", "002000940C" + Twelve },
        { "text AP SELECT EF 0014 (照合番号A)", "TextAssist", "00A4020C020014" },
        { "JPKI VERIFY with 12 digits", "Jpki", "002000980C" + Twelve },
        // The 個人番号 files, by SELECT and by both READ BINARY forms.
        { "text AP SELECT EF 0001", "TextAssist", "00A4020C020001" },
        { "text AP SELECT EF 0003", "TextAssist", "00A4020C020003" },
        { "text AP READ EF 0001 by SFI", "TextAssist", "00B0810000" },
        { "text AP READ EF 0001 by SFI at offset 3 (the 12 digits)", "TextAssist", "00B081030C" },
        { "text AP READ EF 0003 by SFI", "TextAssist", "00B0830000" },
        { "券面AP SELECT EF 0005", "CardFace", "00A4020C020005" },
        { "券面AP READ EF 0005 by SFI", "CardFace", "00B0850000" },
        { "券面AP READ EF 0005 by SFI, extended", "CardFace", "00B08500000000" },
        // Not on the allow-list.
        { "READ BINARY by offset with no current EF", "Jpki", "00B0000000" },
        { "READ RECORD", "Jpki", "00B2010C00" },
        { "SELECT 共通カードAP", "None", "00A4040C0AD3921000310001010100" },
        { "SELECT 住基AP", "None", "00A4040C0AD3921000310001010401" },
        { "SELECT the GlobalPlatform ISD", "None", "00A4040C07A0000001510000" },
        { "SELECT by AID prefix", "None", "00A4040C05D392100031" },
        { "SELECT MF", "Jpki", "00A40000" },
        { "SELECT 3F00 by FID", "Jpki", "00A4000C023F00" },
        { "SELECT with FCI requested", "None", "00A404000AD392F000260100000001" },
        { "SELECT EF outside an application", "None", "00A4020C02000A" },
        { "GET DATA", "None", "00CA00F200" },
        { "GET CHALLENGE", "CardFace", "0084000010" },
        { "INTERNAL AUTHENTICATE", "Jpki", "0088009904AABBCCDD00" },
        { "CHANGE REFERENCE DATA", "Jpki", "0024019804" + "35363738" },
        { "SET SESSION KEY", "TextAssist", "80AE000004AABBCCDD" },
        { "JPKI SELECT EF 0001 (signature certificate)", "Jpki", "00A4020C020001" },
        { "JPKI READ EF 0001 by SFI", "Jpki", "00B0810000" },
        { "JPKI VERIFY 署名用パスワード", "Jpki", "0020009B08" + "5445535450415353" },
        { "JPKI sign with the signature key", "Jpki", "802A009A33" + "00" + new string('A', 100) + "00" },
        { "JPKI sign with scheme 02", "Jpki", "802A02972000" + new string('B', 62) + "00" },
        { "券面AP card-key signature", "CardFace", "802A000033" + new string('C', 102) + "00" },
        { "VERIFY 照合番号B with 13 digits", "CardFace", "002000920D" + Fourteen[..^2] },
        { "VERIFY PIN with 5 digits", "Jpki", "002000980531323334 35" },
        { "VERIFY PIN with letters", "Jpki", "0020009804414243 44" },
        { "extended READ BINARY", "Jpki/000A", "00B00000000200" },
        { "logical channel 1", "None", "01A4040C0AD392F000260100000001" },
        { "secure messaging class", "TextAssist", "0CB0820000" },
        { "unknown instruction", "Jpki", "00FE000000" },
        { "iPhone last-command indicator", "Jpki", "80FC0000" },
    };

    [Theory]
    [MemberData(nameof(Forbidden))]
    public async Task Forbidden_commands_never_reach_the_transport(string description, string state, string hex)
    {
        var transport = new RecordingTransport();
        var guard = new ApduGuard(transport, new ApduGuardPolicy(AllowTextAssistAttributes: true));
        await EnterAsync(guard, state);
        var before = transport.Commands.Count;

        var result = await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(hex)), ReaderHarness.Ct);

        var refused = Assert.IsType<GuardResult.Refused>(result);
        Assert.False(string.IsNullOrWhiteSpace(refused.Reason), description);
        Assert.Equal(before, transport.Commands.Count);
        Assert.Equal(1, guard.RefusedCount);
    }

    [Fact]
    public async Task Forbidden_commands_are_named_as_forbidden()
    {
        var guard = new ApduGuard(new RecordingTransport(), new ApduGuardPolicy(AllowTextAssistAttributes: true));
        await EnterAsync(guard, "TextAssist");
        var refused = Assert.IsType<GuardResult.Refused>(await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes("00B0810000")), ReaderHarness.Ct));
        Assert.StartsWith("FORBIDDEN", refused.Reason, StringComparison.Ordinal);
        Assert.Contains("個人番号", refused.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_text_AP_is_off_unless_configured()
    {
        var guard = new ApduGuard(new RecordingTransport());
        Assert.IsType<GuardResult.Refused>(await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(Hex.SelectTextAssist)), ReaderHarness.Ct));
    }

    /// <summary>The same forbidden commands against the virtual card: its audit log shows that none arrived.</summary>
    [Fact]
    public async Task Audit_log_of_the_virtual_card_shows_nothing_forbidden_arrived()
    {
        var card = VirtualCard.Create("normal");
        var terminal = new VirtualCardTerminal();
        var reader = terminal.Insert(card);

        var refused = 0;
        foreach (var row in Forbidden)
        {
            var (_, state, hex) = ((string)row.Data.Item1, (string)row.Data.Item2, (string)row.Data.Item3);

            // A fresh connection per attempt: the card starts from power-on, as the guard does.
            var connected = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(reader, exclusive: true, ReaderHarness.Ct));
            await using var guard = ApduGuard.Open(connected.Connection, new ApduGuardPolicy(AllowTextAssistAttributes: true));
            await EnterAsync(guard, state);
            if (await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(hex)), ReaderHarness.Ct) is GuardResult.Refused)
            {
                refused++;
            }
        }

        Assert.Equal(Forbidden.Count, refused);
        var log = card.AuditLog;
        Assert.NotEmpty(log);
        Assert.All(log, entry =>
        {
            Assert.True(entry.IsSelect, entry.ToString()); // only the setup SELECTs arrived
            Assert.False(entry.Touches(CardApplication.TextAssist, 0x0001), entry.ToString());
            Assert.False(entry.Touches(CardApplication.TextAssist, 0x0003), entry.ToString());
            Assert.False(entry.Touches(CardApplication.TextAssist, 0x0014), entry.ToString());
            Assert.False(entry.Touches(CardApplication.CardFace, 0x0005), entry.ToString());
            Assert.False(entry.Touches(CardApplication.CardFace, 0x0013), entry.ToString());
            Assert.False(entry.IsVerifyWithData, entry.ToString());
            Assert.NotEqual(0x01, entry.Cla);
        });
        Assert.Equal(10, card.TriesLeft(CardApplication.CardFace, 0x0013));
        Assert.Equal(10, card.TriesLeft(CardApplication.TextAssist, 0x0014));
        Assert.Equal(3, card.TriesLeft(CardApplication.Jpki, 0x0018));
    }

    [Fact]
    public async Task The_allow_list_covers_what_the_terminal_needs()
    {
        var card = VirtualCard.Create("normal");
        var transport = new CardTransport(card);
        var guard = new ApduGuard(transport, new ApduGuardPolicy(AllowTextAssistAttributes: true));
        string[] needed =
        [
            Hex.SelectJpki, "00B0860020", "00B08A0000", "00B0010000", "00200098", "0020009804 31323334",
            "802A009733" + Hex.Of(Data.RsaPkcs1.Sha256DigestInfo("nonce"u8)) + "00",
            "00A4020C020018", "00200080", "00A4020C020017", "802A008033" + Hex.Of(Data.RsaPkcs1.Sha256DigestInfo("nonce"u8)) + "00",
            "00A4020C020006", "00B0000020", "00A4020C02000A", "00B0000004",
            Hex.SelectCardFace, "00200092", "00B0840000", "00A4020C020004", "00B0000010", "002000920E" + Fourteen, "00B0820000",
            "00A4020C020012", "00200080", "00A4020C020002", "00B0000100",
            Hex.SelectTextAssist, "00200095", "002000950E" + Fourteen, "00B0820000", "00A4020C020015", "00A4020C020002",
        ];

        foreach (var hex in needed)
        {
            var result = await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(hex)), ReaderHarness.Ct);
            var answered = Assert.IsType<GuardResult.Answered>(result);
            Assert.True(answered.Response.IsSuccess || answered.Response.StatusWord.TriesLeft is not null, $"{hex} → {answered.Response.StatusWord}");
        }

        Assert.Equal(needed.Length, guard.TransmittedCount);
        Assert.Equal(0, guard.RefusedCount);
    }

    [Fact]
    public async Task Guard_tracks_applications_and_files()
    {
        var guard = new ApduGuard(new CardTransport(VirtualCard.Create("normal")));
        Assert.Equal(CardApplication.None, guard.Application);
        await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(Hex.SelectJpki)), ReaderHarness.Ct);
        Assert.Equal(CardApplication.Jpki, guard.Application);
        await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes("00B08A0004")), ReaderHarness.Ct);
        Assert.Equal((ushort)0x000A, guard.CurrentFile);
        await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes("00A4040C0AD392F000260100000099")), ReaderHarness.Ct); // not allow-listed
        Assert.Equal(CardApplication.Jpki, guard.Application);
        await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(Hex.SelectCardFace)), ReaderHarness.Ct);
        Assert.Equal(CardApplication.CardFace, guard.Application);
        Assert.Null(guard.CurrentFile);
    }

    [Fact]
    public async Task A_transport_that_throws_becomes_a_failure()
    {
        var guard = new ApduGuard(new ThrowingTransport());
        var result = await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(Hex.SelectJpki)), ReaderHarness.Ct);
        Assert.Contains("transport error", Assert.IsType<GuardResult.Failed>(result).Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_closed_guard_fails_cleanly_and_has_unpowered_the_card()
    {
        var card = VirtualCard.Create("normal");
        var terminal = new VirtualCardTerminal();
        var reader = terminal.Insert(card);
        var connected = Assert.IsType<ConnectResult.Connected>(await terminal.ConnectAsync(reader, exclusive: true, ReaderHarness.Ct));
        var guard = ApduGuard.Open(connected.Connection);
        Assert.Equal(reader, guard.ReaderName);
        Assert.IsType<GuardResult.Answered>(await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(Hex.SelectJpki)), ReaderHarness.Ct));

        await guard.DisposeAsync();

        Assert.False(card.IsPowered);
        Assert.False(terminal.IsHeldExclusively(reader));
        Assert.IsType<GuardResult.Failed>(await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(Hex.SelectJpki)), ReaderHarness.Ct));
        await guard.DisposeAsync(); // twice is fine
    }

    /// <summary>Structural: only the guard (and its compiler-generated helpers) can hold a transport or a connection.</summary>
    [Fact]
    public void Only_the_guard_holds_a_transport_or_a_connection()
    {
        var assembly = typeof(ApduGuard).Assembly;
        var flags = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var offenders = new List<string>();
        foreach (var type in assembly.GetTypes())
        {
            // The seam's own result types (ConnectResult.Connected carries the new connection to its receiver).
            if (IsGuardOrNested(type) || type.Namespace == typeof(IApduTransport).Namespace)
            {
                continue;
            }

            foreach (var field in type.GetFields(flags))
            {
                if (typeof(IApduTransport).IsAssignableFrom(field.FieldType) || typeof(ICardConnection).IsAssignableFrom(field.FieldType))
                {
                    offenders.Add($"{type.FullName}.{field.Name}");
                }
            }

            foreach (var constructor in type.GetConstructors(flags))
            {
                if (constructor.GetParameters().Any(p => p.ParameterType == typeof(IApduTransport)))
                {
                    offenders.Add($"{type.FullName} constructor");
                }
            }
        }

        Assert.Empty(offenders);

        // Every applet is built from the guard.
        foreach (var applet in new[] { typeof(Applets.JpkiApplet), typeof(Applets.CardFaceApplet), typeof(Applets.TextAssistApplet) })
        {
            Assert.All(applet.GetConstructors(), c => Assert.Equal(typeof(ApduGuard), c.GetParameters()[0].ParameterType));
        }
    }

    private static bool IsGuardOrNested(Type type)
    {
        for (var t = type; t is not null; t = t.DeclaringType)
        {
            if (t == typeof(ApduGuard))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Brings the guard to "App" or "App/EF" with allowed commands (Jpki, CardFace, TextAssist, None).</summary>
    private static async Task EnterAsync(ApduGuard guard, string state)
    {
        var parts = state.Split('/');
        var select = parts[0] switch
        {
            "Jpki" => Hex.SelectJpki,
            "CardFace" => Hex.SelectCardFace,
            "TextAssist" => Hex.SelectTextAssist,
            _ => null,
        };
        if (select is null)
        {
            return;
        }

        var answered = await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes(select)), ReaderHarness.Ct);
        Assert.IsType<GuardResult.Answered>(answered);
        if (parts.Length > 1)
        {
            Assert.IsType<GuardResult.Answered>(await guard.TransmitAsync(CommandApdu.Parse(Hex.Bytes("00A4020C02" + parts[1])), ReaderHarness.Ct));
        }
    }

    private sealed class ThrowingTransport : IApduTransport
    {
        public ValueTask<TransportResult> TransmitAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("boom");
    }
}

/// <summary>A bare transport straight to a virtual card (powered on).</summary>
internal sealed class CardTransport : IApduTransport
{
    private readonly VirtualCard _card;

    public CardTransport(VirtualCard card)
    {
        _card = card;
        _card.PowerOn();
    }

    public ValueTask<TransportResult> TransmitAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken) =>
        ValueTask.FromResult<TransportResult>(new TransportResult.Response(_card.Process(command.Span)));
}
