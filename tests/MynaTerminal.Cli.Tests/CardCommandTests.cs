using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MynaTerminal.Card;
using MynaTerminal.Card.Emulator;

namespace MynaTerminal.Cli.Tests;

/// <summary>
/// <c>mynaterm card</c> against the in-process virtual card (no pcscd, no vpcd): probe in text and JSON, that it
/// spends nothing and reads nothing forbidden, and the emulator's usage and connection errors.
/// </summary>
public sealed class CardCommandTests
{
    private static readonly (CardApplication App, ushort Key)[] Counters =
    [
        (CardApplication.Jpki, CardConstants.Jpki.AuthPin),
        (CardApplication.CardFace, CardConstants.CardFace.MatchingNumberB),
        (CardApplication.CardFace, CardConstants.CardFace.MatchingNumberA),
        (CardApplication.TextAssist, CardConstants.TextAssist.MatchingNumberA),
        (CardApplication.TextAssist, CardConstants.TextAssist.MatchingNumberB),
    ];

    private static readonly (CardApplication App, ushort Fid)[] Forbidden =
    [
        (CardApplication.TextAssist, CardConstants.TextAssist.MyNumber),
        (CardApplication.TextAssist, 0x0003),
        (CardApplication.CardFace, CardConstants.CardFace.RenderedMyNumber),
        (CardApplication.CardFace, CardConstants.CardFace.MatchingNumberA),
        (CardApplication.TextAssist, CardConstants.TextAssist.MatchingNumberA),
    ];

    private static (VirtualCardTerminal Terminal, VirtualCard Card, string Reader) WithCard(string persona)
    {
        var terminal = new VirtualCardTerminal();
        var card = VirtualCard.Create(persona);
        var reader = terminal.Insert(card);
        return (terminal, card, reader);
    }

    private static Dictionary<(CardApplication, ushort), int> TriesOf(VirtualCard card)
    {
        var tries = new Dictionary<(CardApplication, ushort), int>();
        foreach (var counter in Counters)
        {
            try
            {
                tries[counter] = card.TriesLeft(counter.App, counter.Key);
            }
            catch (ArgumentException)
            {
                // Not on this credential.
            }
        }

        return tries;
    }

    private static async Task<(int Exit, string Output)> ProbeAsync(VirtualCardTerminal terminal, string? reader, bool json)
    {
        using var output = new StringWriter();
        var exit = await CardCommand.ProbeAsync(terminal, reader, json, output, TestContext.Current.CancellationToken);
        return (exit, output.ToString());
    }

    private static void AssertSpentNothingAndReadNothingForbidden(VirtualCard card, Dictionary<(CardApplication, ushort), int> before)
    {
        var log = card.AuditLog;
        Assert.NotEmpty(log);
        Assert.DoesNotContain(log, entry => entry.IsVerifyWithData);
        Assert.DoesNotContain(log, entry => entry.IsSignature);
        foreach (var (app, fid) in Forbidden)
        {
            Assert.DoesNotContain(log, entry => entry.Touches(app, fid));
        }

        Assert.Equal(before, TriesOf(card));
        Assert.False(card.IsPowered); // unpowered at the end
    }

    [Fact]
    public async Task Probe_of_a_normal_card_prints_the_card_in_plain_english()
    {
        var (terminal, card, reader) = WithCard("normal");
        var before = TriesOf(card);

        var (exit, text) = await ProbeAsync(terminal, null, json: false);

        Assert.Equal(0, exit);
        Assert.Contains($"Reader: {reader}", text, StringComparison.Ordinal);
        Assert.Contains("Role: card tray", text, StringComparison.Ordinal);
        Assert.Contains("Token: card", text, StringComparison.Ordinal);
        Assert.Contains("Certificate subject: ", text, StringComparison.Ordinal);
        Assert.Contains("Certificate issuer: ", text, StringComparison.Ordinal);
        Assert.Contains("TEST", text, StringComparison.Ordinal);
        Assert.Contains("Certificate serial: ", text, StringComparison.Ordinal);
        Assert.Contains("Certificate not before: ", text, StringComparison.Ordinal);
        Assert.Contains("Certificate not after: ", text, StringComparison.Ordinal);
        Assert.Contains("Expiry: valid", text, StringComparison.Ordinal);
        Assert.Contains("PIN: 3 tries left", text, StringComparison.Ordinal);
        Assert.Contains("Face photo: yes", text, StringComparison.Ordinal);
        Assert.DoesNotContain(card.Persona.Pin!, text, StringComparison.Ordinal);
        Assert.DoesNotContain(card.Persona.MatchingNumberB, text, StringComparison.Ordinal);
        Assert.DoesNotContain(card.Persona.MyNumber, text, StringComparison.Ordinal);
        AssertSpentNothingAndReadNothingForbidden(card, before);
    }

    [Theory]
    [InlineData("expiring", "Expiry: expiringSoon", "PIN: 3 tries left")]
    [InlineData("grace", "Expiry: expiredInGrace", "PIN: 3 tries left")]
    [InlineData("expired", "Expiry: expired ", "PIN: 3 tries left")]
    [InlineData("last-try", "Expiry: valid", "PIN: 1 try left")]
    [InlineData("pin-blocked", "Expiry: valid", "PIN: blocked")]
    [InlineData("face-only", "Expiry: valid", "PIN: not issued")]
    [InlineData("iphone", "Token: iPhone", "Face photo: no")]
    [InlineData("android", "Certificate: not readable before the PIN", "Token: android")]
    [InlineData("unknown", "not a My Number Card", "Role: card tray")]
    public async Task Probe_prints_each_persona(string persona, string expected, string alsoExpected)
    {
        var (terminal, card, _) = WithCard(persona);
        var before = TriesOf(card);

        var (exit, text) = await ProbeAsync(terminal, null, json: false);

        Assert.Equal(0, exit);
        Assert.Contains(expected, text, StringComparison.Ordinal);
        Assert.Contains(alsoExpected, text, StringComparison.Ordinal);
        Assert.Equal(before, TriesOf(card));
        Assert.DoesNotContain(card.AuditLog, entry => entry.IsVerifyWithData);
    }

    [Theory]
    [InlineData("normal", "card", "valid", "ready", 3, true)]
    [InlineData("expiring", "card", "expiringSoon", "ready", 3, true)]
    [InlineData("pin-blocked", "card", "valid", "blocked", 0, true)]
    [InlineData("face-only", "card", "valid", "notIssued", null, true)]
    [InlineData("iphone", "iPhone", "valid", "ready", 3, false)]
    [InlineData("android", "android", null, "ready", 3, false)]
    public async Task Probe_json_has_stable_camel_case_keys(string persona, string kind, string? expiry, string pin, int? tries, bool photo)
    {
        var (terminal, card, reader) = WithCard(persona);
        var before = TriesOf(card);

        var (exit, text) = await ProbeAsync(terminal, reader, json: true);

        Assert.Equal(0, exit);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.Equal(
            ["reader", "role", "outcome", "isMyNumberCard", "tokenKind", "certificate", "certificateNote", "expiry", "pin", "pinTriesLeft", "hasFacePhoto", "detail"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(reader, root.GetProperty("reader").GetString());
        Assert.Equal(card.Persona.Role == Core.Cards.ReaderRole.Phone ? "phone" : "cardTray", root.GetProperty("role").GetString());
        Assert.Equal("read", root.GetProperty("outcome").GetString());
        Assert.True(root.GetProperty("isMyNumberCard").GetBoolean());
        Assert.Equal(kind, root.GetProperty("tokenKind").GetString());
        Assert.Equal(expiry, root.GetProperty("expiry").GetString());
        Assert.Equal(pin, root.GetProperty("pin").GetString());
        Assert.Equal(tries, root.GetProperty("pinTriesLeft").ValueKind == JsonValueKind.Null ? null : root.GetProperty("pinTriesLeft").GetInt32());
        Assert.Equal(photo, root.GetProperty("hasFacePhoto").GetBoolean());

        var certificate = root.GetProperty("certificate");
        if (kind == "android")
        {
            Assert.Equal(JsonValueKind.Null, certificate.ValueKind);
            Assert.Equal("notReadableBeforePin", root.GetProperty("certificateNote").GetString());
        }
        else
        {
            Assert.Equal(
                ["subject", "issuer", "serialNumber", "notBefore", "notAfter"],
                certificate.EnumerateObject().Select(p => p.Name).ToArray());
            using var x509 = card.AuthenticationCertificate!;
            Assert.Equal(x509.SerialNumber, certificate.GetProperty("serialNumber").GetString());
            Assert.Equal(x509.Subject, certificate.GetProperty("subject").GetString());
            Assert.Equal(x509.Issuer, certificate.GetProperty("issuer").GetString());
            var notAfter = DateTimeOffset.Parse(certificate.GetProperty("notAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True((notAfter - new DateTimeOffset(x509.NotAfter.ToUniversalTime(), TimeSpan.Zero)).Duration() < TimeSpan.FromSeconds(1));
            Assert.Equal(JsonValueKind.Null, root.GetProperty("certificateNote").ValueKind);
        }

        Assert.DoesNotContain(card.Persona.MyNumber, text, StringComparison.Ordinal);
        Assert.DoesNotContain(card.Persona.HolderName.Length > 0 ? card.Persona.HolderName : "\u0001", text, StringComparison.Ordinal);
        AssertSpentNothingAndReadNothingForbidden(card, before);
    }

    [Fact]
    public async Task Probe_json_of_an_unknown_card_says_not_a_my_number_card()
    {
        var (terminal, card, _) = WithCard("unknown");

        var (exit, text) = await ProbeAsync(terminal, null, json: true);

        Assert.Equal(0, exit);
        var objects = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement).ToArray();
        Assert.Equal(2, objects.Length); // one object per reader
        var tray = objects.Single(o => o.GetProperty("reader").GetString() == VirtualCardTerminal.DefaultCardTrayReader);
        Assert.Equal("notMyNumberCard", tray.GetProperty("outcome").GetString());
        Assert.False(tray.GetProperty("isMyNumberCard").GetBoolean());
        Assert.Equal(JsonValueKind.Null, tray.GetProperty("tokenKind").ValueKind);
        var phone = objects.Single(o => o.GetProperty("reader").GetString() == VirtualCardTerminal.DefaultPhoneReader);
        Assert.Equal("noCard", phone.GetProperty("outcome").GetString());
        Assert.Equal("phone", phone.GetProperty("role").GetString());
        Assert.DoesNotContain(card.AuditLog, entry => entry.IsVerify);
        Assert.False(card.IsPowered);
    }

    [Fact]
    public async Task Probe_reads_both_readers_and_leaves_every_counter_alone()
    {
        var terminal = new VirtualCardTerminal();
        var plastic = VirtualCard.Create("last-try");
        var phone = VirtualCard.Create("android");
        terminal.Insert(plastic);
        terminal.Insert(phone);
        var before = (TriesOf(plastic), TriesOf(phone));

        var (exit, text) = await ProbeAsync(terminal, null, json: false);

        Assert.Equal(0, exit);
        Assert.Contains($"Reader: {VirtualCardTerminal.DefaultCardTrayReader}", text, StringComparison.Ordinal);
        Assert.Contains($"Reader: {VirtualCardTerminal.DefaultPhoneReader}", text, StringComparison.Ordinal);
        Assert.Contains("Role: phone reader", text, StringComparison.Ordinal);
        AssertSpentNothingAndReadNothingForbidden(plastic, before.Item1);
        AssertSpentNothingAndReadNothingForbidden(phone, before.Item2);
    }

    [Fact]
    public async Task Probe_without_a_card_exits_3()
    {
        var terminal = new VirtualCardTerminal();

        var (exit, text) = await ProbeAsync(terminal, null, json: false);
        Assert.Equal(3, exit);
        Assert.Contains("No card in any reader", text, StringComparison.Ordinal);

        var (jsonExit, json) = await ProbeAsync(terminal, VirtualCardTerminal.DefaultCardTrayReader, json: true);
        Assert.Equal(3, jsonExit);
        using var document = JsonDocument.Parse(json.Trim());
        Assert.Equal("noCard", document.RootElement.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Probe_of_an_unknown_reader_exits_3_naming_the_readers()
    {
        var (terminal, card, _) = WithCard("normal");

        var (exit, text) = await ProbeAsync(terminal, "No Such Reader 00", json: false);

        Assert.Equal(3, exit);
        Assert.Contains("No Such Reader 00", text, StringComparison.Ordinal);
        Assert.Contains(VirtualCardTerminal.DefaultCardTrayReader, text, StringComparison.Ordinal);
        Assert.Empty(card.AuditLog);
    }

    [Fact]
    public async Task Emulate_an_unknown_persona_exits_2_with_the_list()
    {
        using var output = new StringWriter();

        var exit = await CardCommand.EmulateAsync("nobody", "127.0.0.1", 35963, null, output, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        var text = output.ToString();
        Assert.Contains("nobody", text, StringComparison.Ordinal);
        foreach (var persona in VirtualCardPersonas.All)
        {
            Assert.Contains(persona.Id, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Emulate_with_bad_faults_exits_2()
    {
        using var output = new StringWriter();

        var exit = await CardCommand.EmulateAsync(
            "normal", "127.0.0.1", 35963, new CardCommand.EmulatorFaults(SlowMs: -1), output, TestContext.Current.CancellationToken);

        Assert.Equal(2, exit);
        Assert.Contains("--slow-ms", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emulate_against_a_closed_port_exits_1_naming_vpcd_and_pcscd()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var output = new StringWriter();

        var exit = await CardCommand.EmulateAsync(
            "normal", "127.0.0.1", port, new CardCommand.EmulatorFaults(PullAfter: 5), output, TestContext.Current.CancellationToken);

        Assert.Equal(1, exit);
        var text = output.ToString();
        Assert.Contains("Persona: normal", text, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", text, StringComparison.Ordinal);
        Assert.Contains("connection refused", text, StringComparison.Ordinal);
        Assert.Contains("vpcd", text, StringComparison.Ordinal);
        Assert.Contains("pcscd", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1:35963", true, "127.0.0.1", 35963)]
    [InlineData("localhost:35964", true, "localhost", 35964)]
    [InlineData("[::1]:35963", true, "::1", 35963)]
    [InlineData("127.0.0.1", false, "", 0)]
    [InlineData("127.0.0.1:0", false, "", 0)]
    [InlineData(":35963", false, "", 0)]
    [InlineData("host:port", false, "", 0)]
    public void Vpcd_endpoints_parse(string text, bool ok, string host, int port)
    {
        Assert.Equal(ok, CardCommand.TryParseEndpoint(text, out var parsedHost, out var parsedPort));
        Assert.Equal(host, parsedHost);
        Assert.Equal(port, parsedPort);
    }
}
