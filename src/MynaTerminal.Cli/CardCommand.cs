using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using MynaTerminal.Card;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Policies;
using MynaTerminal.Pcsc;

namespace MynaTerminal.Cli;

/// <summary>
/// <c>mynaterm card</c>: look at the card in a reader without spending anything (<c>probe</c>), or serve a virtual
/// card to a real pcscd through vsmartcard-vpcd (<c>emulate</c>).
/// </summary>
public static class CardCommand
{
    /// <summary>At least one reader's card was probed / the emulator ran.</summary>
    public const int ExitOk = 0;

    /// <summary>The emulator could not reach vpcd.</summary>
    public const int ExitFailed = 1;

    /// <summary>Bad arguments (unknown persona, bad HOST:PORT, negative numbers).</summary>
    public const int ExitUsage = 2;

    /// <summary>No reader, or no card in the reader(s).</summary>
    public const int ExitNoCard = 3;

    public static Command Create()
    {
        var command = new Command("card", "Look at the card in a reader (probe) or serve a virtual card to pcscd through vpcd (emulate).");
        command.Subcommands.Add(CreateProbe());
        command.Subcommands.Add(CreateEmulate());
        return command;
    }

    private static Command CreateProbe()
    {
        var reader = new Option<string?>("--reader") { Description = "Probe only this reader (exact name as pcscd lists it). Default: every reader with a card." };
        var json = new Option<bool>("--json") { Description = "One JSON object per reader (camelCase) instead of text." };
        var command = new Command("probe",
            "List the PC/SC readers and read the card in them: token kind, user-auth certificate, expiry class, PIN tries left, face photo. " +
            "Sends no PIN and no 照合番号B; unpowers the card at the end.")
        {
            reader, json,
        };
        command.Action = new UsageAwareAction(async (parse, cancellationToken) =>
        {
            await using var terminal = new PcscCardTerminal(Options.Create(LoadPcscOptions()));
            return await ProbeAsync(terminal, parse.GetValue(reader), parse.GetValue(json), Console.Out, cancellationToken);
        });
        return command;
    }

    private static Command CreateEmulate()
    {
        var vpcd = new Option<string>("--vpcd")
        {
            Description = "HOST:PORT of vsmartcard-vpcd (pcscd's virtual reader; 35963 = first reader, 35964 = second).",
            DefaultValueFactory = _ => $"127.0.0.1:{VpcdClient.DefaultPort}",
        };
        var persona = new Option<string>("--persona")
        {
            Description = $"The virtual card: {string.Join(", ", VirtualCardPersonas.All.Select(p => p.Id))}.",
            DefaultValueFactory = _ => "normal",
        };
        var pullAfter = new Option<int?>("--pull-after") { Description = "Pull the card after answering N commands." };
        var slowMs = new Option<int>("--slow-ms") { Description = "Delay every response by N milliseconds (a slow card)." };
        var fault6F00 = new Option<int?>("--fault-6f00-at") { Description = "Answer command N (1-based) with 6F 00 instead of processing it." };
        var firstFails = new Option<bool>("--first-command-fails") { Description = "The first command after every power-on answers 6F 00." };
        var truncateAt = new Option<int?>("--truncate-at") { Description = "Cut the response to command N (1-based) to --truncate-length bytes." };
        var truncateLength = new Option<int>("--truncate-length") { Description = "Bytes of a truncated response (default 1).", DefaultValueFactory = _ => 1 };
        var phoneDeclines = new Option<bool>("--phone-declines") { Description = "iPhone: the owner declines Face ID (signature answers 69 85)." };
        var command = new Command("emulate",
            "Serve a virtual My Number Card to a real pcscd through vsmartcard-vpcd until Ctrl+C, printing each APDU (secrets masked).")
        {
            vpcd, persona, pullAfter, slowMs, fault6F00, firstFails, truncateAt, truncateLength, phoneDeclines,
        };
        command.Action = new UsageAwareAction(async (parse, cancellationToken) =>
        {
            if (!TryParseEndpoint(parse.GetValue(vpcd)!, out var host, out var port))
            {
                Console.Out.WriteLine($"error: --vpcd wants HOST:PORT (e.g. 127.0.0.1:{VpcdClient.DefaultPort}), not '{parse.GetValue(vpcd)}'.");
                return ExitUsage;
            }

            var faults = new EmulatorFaults(
                parse.GetValue(pullAfter), parse.GetValue(slowMs), parse.GetValue(fault6F00), parse.GetValue(firstFails),
                parse.GetValue(truncateAt), parse.GetValue(truncateLength), parse.GetValue(phoneDeclines));
            return await EmulateAsync(parse.GetValue(persona)!, host, port, faults, Console.Out, cancellationToken);
        });
        return command;
    }


    /// <summary>The roles of the readers come from the same configuration as the worker's (section "Pcsc").</summary>
    private static PcscOptions LoadPcscOptions()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables("MYNATERM_")
            .Build();
        var options = new PcscOptions();
        configuration.GetSection(PcscOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary><c>HOST:PORT</c> (IPv6 as <c>[::1]:35963</c>).</summary>
    public static bool TryParseEndpoint(string text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return false;
        }

        var hostPart = text[..colon].Trim();
        if (hostPart.StartsWith('[') && hostPart.EndsWith(']'))
        {
            hostPart = hostPart[1..^1];
        }

        if (hostPart.Length == 0 ||
            !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            port = 0;
            return false;
        }

        host = hostPart;
        return true;
    }

    // ---------------------------------------------------------------- probe

    /// <summary>
    /// Lists the readers of <paramref name="terminal"/> and reads the card in <paramref name="reader"/> (or in every
    /// reader). Uses only <see cref="MyNumberCardReader.ReadAsync"/> (no PIN, no 照合番号B, nothing forbidden: every
    /// APDU goes through ApduGuard) and unpowers the card at the end.
    /// </summary>
    /// <returns>0 when at least one card was probed, 3 when there is no reader or no card.</returns>
    public static Task<int> ProbeAsync(ICardTerminal terminal, string? reader, bool json, TextWriter output, CancellationToken cancellationToken) =>
        ProbeAsync(terminal, reader, json, output, TimeProvider.System, cancellationToken);

    /// <inheritdoc cref="ProbeAsync(ICardTerminal, string?, bool, TextWriter, CancellationToken)"/>
    public static async Task<int> ProbeAsync(
        ICardTerminal terminal, string? reader, bool json, TextWriter output, TimeProvider clock, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terminal);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(clock);

        var (readers, listError) = await ListReadersAsync(terminal, cancellationToken).ConfigureAwait(false);
        if (listError is not null || readers.Count == 0)
        {
            WriteError(output, json, listError ?? "no card reader found", "noReader");
            return ExitNoCard;
        }

        IReadOnlyList<ReaderEntry> chosen = readers;
        if (reader is not null)
        {
            var match = readers.FirstOrDefault(r => string.Equals(r.Name, reader, StringComparison.Ordinal))
                ?? readers.FirstOrDefault(r => string.Equals(r.Name, reader, StringComparison.OrdinalIgnoreCase));
            if (match is null)
            {
                WriteError(output, json, $"no reader named '{reader}'; readers: {string.Join(", ", readers.Select(r => $"'{r.Name}'"))}", "noReader");
                return ExitNoCard;
            }

            chosen = [match];
        }

        if (!json)
        {
            output.WriteLine($"Readers ({readers.Count}):");
            foreach (var r in readers)
            {
                var card = r.CardPresent switch { true => "card present", false => "no card", null => "card unknown" };
                output.WriteLine($"  {r.Name} (role: {DescribeRole(r.Role)}; {card})");
            }
        }

        var probed = 0;
        foreach (var r in chosen)
        {
            ProbeResult result;
            if (r.CardPresent == false && reader is null)
            {
                result = ProbeResult.NoCard(r);
            }
            else
            {
                result = await ProbeReaderAsync(terminal, r, clock, cancellationToken).ConfigureAwait(false);
            }

            if (result.Outcome != "noCard")
            {
                probed++;
            }

            if (json)
            {
                output.WriteLine(ToJson(result));
            }
            else if (result.Outcome != "noCard" || reader is not null)
            {
                WriteHuman(output, result);
            }
        }

        if (probed == 0)
        {
            if (!json)
            {
                output.WriteLine(reader is null ? "No card in any reader." : $"No card in '{chosen[0].Name}'.");
            }

            return ExitNoCard;
        }

        return ExitOk;
    }

    private sealed record ReaderEntry(string Name, ReaderRole? Role, bool? CardPresent);

    private sealed record CertificateView(string Subject, string Issuer, string SerialNumber, DateTimeOffset NotBefore, DateTimeOffset NotAfter);

    private sealed record ProbeResult(
        ReaderEntry Reader,
        string Outcome,
        CardKind? Kind,
        CertificateView? Certificate,
        string? CertificateNote,
        CertificateExpiry? Expiry,
        PinStatus? Pin,
        bool? HasFacePhoto,
        string? Detail)
    {
        public static ProbeResult NoCard(ReaderEntry reader) => new(reader, "noCard", null, null, null, null, null, null, null);
    }

    private static async Task<(IReadOnlyList<ReaderEntry> Readers, string? Error)> ListReadersAsync(ICardTerminal terminal, CancellationToken cancellationToken)
    {
        switch (terminal)
        {
            case VirtualCardTerminal virtualTerminal:
            {
                var roles = new Dictionary<string, ReaderRole>(StringComparer.Ordinal);
                foreach (var role in Enum.GetValues<ReaderRole>())
                {
                    try
                    {
                        roles.TryAdd(virtualTerminal.ReaderFor(role), role);
                    }
                    catch (InvalidOperationException)
                    {
                        // No reader with that role.
                    }
                }

                return ([.. virtualTerminal.ReaderNames.Select(name =>
                    new ReaderEntry(name, roles.TryGetValue(name, out var r) ? r : null, virtualTerminal.CardIn(name) is not null))], null);
            }

            case PcscCardTerminal pcsc:
            {
                PcscResult<IReadOnlyList<PcscReaderInfo>> listed;
                try
                {
                    listed = await pcsc.ListReadersAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
                {
                    return ([], $"pcsc-lite is not available ({ex.Message}); install libpcsclite1 and pcscd");
                }

                if (!listed.TryGetValue(out var infos))
                {
                    return listed.ErrorCode == PcscError.NoReadersAvailable
                        ? ([], null)
                        : ([], $"cannot list the readers: {listed.ErrorCode} (is pcscd running?)");
                }

                // The monitor is not running here, so presence is found out by connecting.
                return ([.. infos.Select(i => new ReaderEntry(i.Name, i.Role, null))], null);
            }

            default:
            {
                // Any other terminal: the readers whose cards it reports at once.
                var found = new List<ReaderEntry>();
                using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                window.CancelAfter(TimeSpan.FromMilliseconds(300));
                try
                {
                    await foreach (var slot in terminal.WatchAsync(window.Token).ConfigureAwait(false))
                    {
                        if (slot.CardPresent && found.All(f => f.Name != slot.ReaderName))
                        {
                            found.Add(new ReaderEntry(slot.ReaderName, slot.Role, true));
                        }
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }

                return (found, null);
            }
        }
    }

    private static async Task<ProbeResult> ProbeReaderAsync(ICardTerminal terminal, ReaderEntry reader, TimeProvider clock, CancellationToken cancellationToken)
    {
        var single = new SingleReaderTerminal(terminal, reader.Name, reader.Role ?? ReaderRole.CardTray);
        var cardReader = new MyNumberCardReader(single, new CardOptions(), clock);
        await using (cardReader.ConfigureAwait(false))
        {
            await foreach (var _ in cardReader.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                break; // The reader now knows which reader to connect to.
            }

            CardReadOutcome outcome;
            try
            {
                outcome = await cardReader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                await cardReader.ReleaseAsync(CancellationToken.None).ConfigureAwait(false); // SCARD_UNPOWER_CARD
            }

            switch (outcome)
            {
                case CardReadOutcome.Read read:
                {
                    var snapshot = read.Card;
                    CertificateView? certificate = null;
                    string? note = null;
                    CertificateExpiry? expiry = null;
                    if (snapshot.Certificate is { } info)
                    {
                        certificate = View(info);
                        expiry = CertificateExpiryPolicy.Default.Classify(info.NotAfter, clock.GetUtcNow(), snapshot.Kind);
                    }
                    else if (snapshot.Kind == CardKind.Android)
                    {
                        note = "notReadableBeforePin";
                    }

                    return new ProbeResult(reader, "read", snapshot.Kind, certificate, note, expiry, snapshot.Pin, snapshot.HasFacePhoto, null);
                }

                case CardReadOutcome.NotMyNumberCard:
                    return new ProbeResult(reader, "notMyNumberCard", null, null, null, null, null, null, null);
                case CardReadOutcome.Unreadable unreadable:
                    return new ProbeResult(reader, "unreadable", null, null, null, null, null, null, unreadable.Detail);
                default:
                    return ProbeResult.NoCard(reader);
            }
        }
    }

    private static CertificateView View(CertificateInfo info)
    {
        try
        {
            using var x509 = X509CertificateLoader.LoadCertificate(info.Der.Span);
            return new CertificateView(
                x509.Subject, x509.Issuer, info.SerialNumberHex,
                new DateTimeOffset(x509.NotBefore.ToUniversalTime(), TimeSpan.Zero), info.NotAfter);
        }
        catch (CryptographicException)
        {
            return new CertificateView(string.Empty, info.Issuer, info.SerialNumberHex, DateTimeOffset.MinValue, info.NotAfter);
        }
    }

    private static void WriteHuman(TextWriter output, ProbeResult result)
    {
        output.WriteLine();
        output.WriteLine($"Reader: {result.Reader.Name}");
        output.WriteLine($"  Role: {DescribeRole(result.Reader.Role)}");
        switch (result.Outcome)
        {
            case "noCard":
                output.WriteLine("  Card: none (no card in the reader, or it was removed during the read)");
                return;
            case "notMyNumberCard":
                output.WriteLine("  Card: not a My Number Card (no JPKI application)");
                return;
            case "unreadable":
                output.WriteLine($"  Card: unreadable ({result.Detail})");
                return;
        }

        output.WriteLine($"  Token: {DescribeKind(result.Kind!.Value)}");
        if (result.Certificate is { } c)
        {
            output.WriteLine($"  Certificate subject: {c.Subject}");
            output.WriteLine($"  Certificate issuer: {c.Issuer}");
            output.WriteLine($"  Certificate serial: {c.SerialNumber}");
            output.WriteLine($"  Certificate not before: {Iso(c.NotBefore)}");
            output.WriteLine($"  Certificate not after: {Iso(c.NotAfter)}");
            output.WriteLine($"  Expiry: {ExpiryName(result.Expiry!.Value)} ({DescribeExpiry(result.Expiry.Value)})");
        }
        else
        {
            output.WriteLine("  Certificate: not readable before the PIN (Android token); not read");
            output.WriteLine("  Expiry: unknown until the PIN is verified");
        }

        output.WriteLine($"  PIN: {DescribePin(result.Pin!)}");
        output.WriteLine($"  Face photo: {(result.HasFacePhoto == true ? "yes" : "no")}");
    }

    private static string ToJson(ProbeResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("reader", result.Reader.Name);
            WriteNullableString(writer, "role", result.Reader.Role is { } role ? RoleName(role) : null);
            writer.WriteString("outcome", result.Outcome);
            writer.WriteBoolean("isMyNumberCard", result.Outcome == "read");
            WriteNullableString(writer, "tokenKind", result.Kind is { } kind ? KindName(kind) : null);
            if (result.Certificate is { } c)
            {
                writer.WriteStartObject("certificate");
                writer.WriteString("subject", c.Subject);
                writer.WriteString("issuer", c.Issuer);
                writer.WriteString("serialNumber", c.SerialNumber);
                writer.WriteString("notBefore", Iso(c.NotBefore));
                writer.WriteString("notAfter", Iso(c.NotAfter));
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("certificate");
            }

            WriteNullableString(writer, "certificateNote", result.CertificateNote);
            WriteNullableString(writer, "expiry", result.Expiry is { } e ? ExpiryName(e) : null);
            WriteNullableString(writer, "pin", result.Pin switch
            {
                PinStatus.Ready => "ready",
                PinStatus.Blocked => "blocked",
                PinStatus.NotIssued => "notIssued",
                _ => null,
            });
            if (result.Pin is PinStatus.Ready ready)
            {
                writer.WriteNumber("pinTriesLeft", ready.TriesLeft);
            }
            else if (result.Pin is PinStatus.Blocked)
            {
                writer.WriteNumber("pinTriesLeft", 0);
            }
            else
            {
                writer.WriteNull("pinTriesLeft");
            }

            if (result.HasFacePhoto is { } photo)
            {
                writer.WriteBoolean("hasFacePhoto", photo);
            }
            else
            {
                writer.WriteNull("hasFacePhoto");
            }

            WriteNullableString(writer, "detail", result.Detail);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteError(TextWriter output, bool json, string message, string outcome)
    {
        if (!json)
        {
            output.WriteLine($"error: {message}");
            return;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNull("reader");
            writer.WriteString("outcome", outcome);
            writer.WriteString("error", message);
            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private static void WriteNullableString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static string Iso(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string RoleName(ReaderRole role) => role switch
    {
        ReaderRole.CardTray => "cardTray",
        ReaderRole.Phone => "phone",
        _ => role.ToString(),
    };

    private static string DescribeRole(ReaderRole? role) => role switch
    {
        ReaderRole.CardTray => "card tray",
        ReaderRole.Phone => "phone reader",
        null => "none (no role rule matches; the terminal ignores it)",
        _ => role.ToString()!,
    };

    private static string KindName(CardKind kind) => kind switch
    {
        CardKind.Card => "card",
        CardKind.Android => "android",
        CardKind.IPhone => "iPhone",
        _ => kind.ToString(),
    };

    private static string DescribeKind(CardKind kind) => kind switch
    {
        CardKind.Card => "card (plastic My Number Card)",
        CardKind.Android => "android (smartphone certificate on Android)",
        CardKind.IPhone => "iPhone (smartphone certificate on iPhone)",
        _ => kind.ToString(),
    };

    private static string ExpiryName(CertificateExpiry expiry) => expiry switch
    {
        CertificateExpiry.Valid => "valid",
        CertificateExpiry.ExpiringSoon => "expiringSoon",
        CertificateExpiry.ExpiredInGrace => "expiredInGrace",
        CertificateExpiry.Expired => "expired",
        _ => expiry.ToString(),
    };

    private static string DescribeExpiry(CertificateExpiry expiry) => expiry switch
    {
        CertificateExpiry.Valid => "the certificate is valid",
        CertificateExpiry.ExpiringSoon => "expires within the alert window: renewal notice",
        CertificateExpiry.ExpiredInGrace => "expired, inside the grace period: eligibility only",
        CertificateExpiry.Expired => "expired beyond the grace period: unusable",
        _ => expiry.ToString(),
    };

    private static string DescribePin(PinStatus pin) => pin switch
    {
        PinStatus.Ready { TriesLeft: 1 } => "1 try left",
        PinStatus.Ready ready => $"{ready.TriesLeft} tries left",
        PinStatus.Blocked => "blocked (unlock at the municipal office)",
        PinStatus.NotIssued => "not issued (face-authentication card without a PIN)",
        _ => "unknown",
    };

    /// <summary>
    /// One reader of another terminal, announced as present at once, so that <see cref="MyNumberCardReader"/>
    /// connects to exactly that reader (without starting a reader monitor).
    /// </summary>
    private sealed class SingleReaderTerminal(ICardTerminal inner, string readerName, ReaderRole role) : ICardTerminal
    {
        public async IAsyncEnumerable<CardSlotEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            yield return new CardSlotEvent(readerName, role, true);
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        public Task<ConnectResult> ConnectAsync(string name, bool exclusive, CancellationToken cancellationToken) =>
            inner.ConnectAsync(name, exclusive, cancellationToken);
    }

    // ---------------------------------------------------------------- emulate

    /// <summary>Faults to inject into the emulated card (see <see cref="VirtualCardFaults"/>).</summary>
    /// <param name="PullAfter">Pull the card after answering this many commands.</param>
    /// <param name="SlowMs">Delay every response (ms).</param>
    /// <param name="InternalErrorAt">This command (1-based) answers 6F 00.</param>
    /// <param name="FirstCommandAfterPowerOnFails">The first command after each power-on answers 6F 00.</param>
    /// <param name="TruncateAt">The response to this command (1-based) is cut short.</param>
    /// <param name="TruncatedLength">How many bytes of the cut response arrive.</param>
    /// <param name="PhoneDeclines">iPhone: Face ID declined (69 85).</param>
    public sealed record EmulatorFaults(
        int? PullAfter = null,
        int SlowMs = 0,
        int? InternalErrorAt = null,
        bool FirstCommandAfterPowerOnFails = false,
        int? TruncateAt = null,
        int TruncatedLength = 1,
        bool PhoneDeclines = false)
    {
        public static EmulatorFaults None { get; } = new();

        internal string? Validate()
        {
            if (PullAfter is < 0)
            {
                return "--pull-after must be 0 or more";
            }

            if (SlowMs < 0)
            {
                return "--slow-ms must be 0 or more";
            }

            if (InternalErrorAt is < 1)
            {
                return "--fault-6f00-at counts commands from 1";
            }

            if (TruncateAt is < 1)
            {
                return "--truncate-at counts commands from 1";
            }

            return TruncatedLength < 0 ? "--truncate-length must be 0 or more" : null;
        }

        internal void ApplyTo(VirtualCardFaults faults)
        {
            faults.PullAfterCommands = PullAfter;
            faults.ResponseDelay = TimeSpan.FromMilliseconds(SlowMs);
            faults.InternalErrorOnCommand = InternalErrorAt;
            faults.FirstCommandAfterPowerOnFails = FirstCommandAfterPowerOnFails;
            faults.TruncateResponseOfCommand = TruncateAt;
            faults.TruncatedLength = TruncatedLength;
            faults.PhoneDeclines = PhoneDeclines;
        }

        internal IEnumerable<string> Describe()
        {
            if (PullAfter is { } pull)
            {
                yield return $"pulled after {pull} command(s)";
            }

            if (SlowMs > 0)
            {
                yield return $"{SlowMs} ms per response";
            }

            if (InternalErrorAt is { } at)
            {
                yield return $"6F 00 on command {at}";
            }

            if (FirstCommandAfterPowerOnFails)
            {
                yield return "6F 00 on the first command after power-on";
            }

            if (TruncateAt is { } cut)
            {
                yield return $"response {cut} cut to {TruncatedLength} byte(s)";
            }

            if (PhoneDeclines)
            {
                yield return "the phone declines";
            }
        }
    }

    /// <summary>
    /// Serves the persona's <see cref="VirtualCard"/> to vpcd at <paramref name="host"/>:<paramref name="port"/> until
    /// cancelled (Ctrl+C), vpcd closes the connection or a pull fault removes the card; prints each APDU as the card's
    /// audit entry (VERIFY data is masked there: only its length is printed).
    /// </summary>
    /// <returns>0 after serving; 1 when vpcd cannot be reached; 2 for an unknown persona or bad faults.</returns>
    public static async Task<int> EmulateAsync(
        string persona, string host, int port, EmulatorFaults? faults, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        faults ??= EmulatorFaults.None;
        var known = string.Join(", ", VirtualCardPersonas.All.Select(p => p.Id));
        var chosen = VirtualCardPersonas.All.FirstOrDefault(p => string.Equals(p.Id, persona?.Trim(), StringComparison.OrdinalIgnoreCase));
        if (chosen is null)
        {
            output.WriteLine($"error: unknown persona '{persona}'. Personas: {known}.");
            return ExitUsage;
        }

        if (string.IsNullOrWhiteSpace(host) || port is < 1 or > 65535)
        {
            output.WriteLine($"error: --vpcd wants HOST:PORT with a port 1-65535, not '{host}:{port}'.");
            return ExitUsage;
        }

        if (faults.Validate() is { } invalid)
        {
            output.WriteLine($"error: {invalid}.");
            return ExitUsage;
        }

        var card = new VirtualCard(chosen);
        faults.ApplyTo(card.Faults);
        var slot = port - VpcdClient.DefaultPort;
        output.WriteLine($"Persona: {chosen.Id} ({chosen.Kind}; reader role {RoleName(chosen.Role)})");
        output.WriteLine($"vpcd: {host}:{port}" + (slot is 0 or 1 ? $" (vpcd reader {slot}, e.g. 'Virtual PCD 00 0{slot}')" : string.Empty));
        var described = faults.Describe().ToArray();
        output.WriteLine($"Faults: {(described.Length == 0 ? "none" : string.Join("; ", described))}");
        output.WriteLine("Serving the card until Ctrl+C (APDU data of VERIFY is masked; only lengths are printed).");

        var printed = 0;
        void Flush()
        {
            var log = card.AuditLog;
            for (; printed < log.Count; printed++)
            {
                output.WriteLine($"apdu {log[printed]}");
            }
        }

        using var stopPrinting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var printer = Task.Run(async () =>
        {
            try
            {
                while (!stopPrinting.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), stopPrinting.Token).ConfigureAwait(false);
                    Flush();
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);

        try
        {
            await VpcdClient.RunAsync(card, host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            await StopPrintingAsync().ConfigureAwait(false);
            var why = ex.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => "host not found",
                SocketError.TimedOut => "timed out",
                _ => ex.Message,
            };
            output.WriteLine($"error: cannot connect to vpcd at {host}:{port} ({why}). Is pcscd running with the vsmartcard vpcd driver " +
                "(libifdvpcd, package vsmartcard-vpcd) listening there? Start it with 'pcscd -f' (as root) or 'systemctl start pcscd', then retry.");
            return ExitFailed;
        }
        catch (IOException ex)
        {
            await StopPrintingAsync().ConfigureAwait(false);
            output.WriteLine($"error: the connection to vpcd at {host}:{port} broke: {ex.Message}");
            return ExitFailed;
        }

        await StopPrintingAsync().ConfigureAwait(false);
        if (cancellationToken.IsCancellationRequested)
        {
            output.WriteLine($"Stopped: the card was removed from vpcd after {card.CommandCount} command(s).");
        }
        else if (card.PullDue)
        {
            output.WriteLine($"The card was pulled (--pull-after) after {card.CommandsSinceInsertion} command(s).");
        }
        else
        {
            output.WriteLine($"vpcd closed the connection (pcscd stopped?) after {card.CommandCount} command(s).");
        }

        return ExitOk;

        async Task StopPrintingAsync()
        {
            await stopPrinting.CancelAsync().ConfigureAwait(false);
            await printer.ConfigureAwait(false);
            Flush();
        }
    }
}
