using System.Diagnostics;
using MynaTerminal.Card;
using MynaTerminal.Card.Apdu;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Card.Transport;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Pcsc.Tests.Integration;

/// <summary>
/// The real stack end to end: <see cref="VirtualCard"/> served by <see cref="VpcdClient"/> → vpcd → pcscd →
/// <see cref="PcscCardTerminal"/> → <see cref="MyNumberCardReader"/> (with the emulator's 券面 trust anchor).
/// Every test ends by checking the card's audit log for forbidden APDUs.
/// </summary>
[Collection(PcscdCollection.Name)]
public sealed class VirtualCardThroughPcscdTests(PcscdFixture pcscd, ITestOutputHelper output)
{
    /// <summary>card-protocol budget for the face path (reading included).</summary>
    private const int FacePathBudget = 40;

    private static readonly CommandApdu SelectJpki = new(0x00, CardConstants.Ins.Select, 0x04, 0x0C, CardConstants.Aid.Jpki);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public static TheoryData<string> Personas => new(VirtualCardPersonas.All.Select(p => p.Id));

    private async Task StartEmptyAsync()
    {
        pcscd.SkipIfUnavailable();
        await pcscd.WaitForCardAsync(PcscdFixture.TrayReader, present: false, Token);
        await pcscd.WaitForCardAsync(PcscdFixture.PhoneReader, present: false, Token);
    }

    private static MatchingNumberB NumberB(string digits)
    {
        Assert.True(MatchingNumberB.TryCreate(digits, DateTimeOffset.UtcNow, out var number), "a plausible 照合番号B");
        return number!;
    }

    /// <summary>A plausible 照合番号B that is not the card's (same birth date and expiry, another security code).</summary>
    private static MatchingNumberB WrongNumberB(VirtualCardPersona persona)
    {
        var code = persona.SecurityCode == "9999" ? "9998" : "9999";
        return NumberB(persona.MatchingNumberB[..10] + code);
    }

    private static Pin PinOf(string digits) => Pin.FromDigits(digits.Select(c => c - '0').ToArray());

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Personas))]
    public async Task Every_persona_is_announced_read_and_removed_through_pcscd(string personaId)
    {
        await StartEmptyAsync();
        await using var stack = new VirtualCardStack(Token);
        var card = VirtualCard.Create(personaId);
        var persona = card.Persona;

        var served = await stack.InsertAsync(card);
        var outcome = await stack.Reader.ReadAsync(Token);
        output.WriteLine($"{personaId}: {outcome}");

        if (persona.CardKind is not { } kind)
        {
            Assert.IsType<CardReadOutcome.NotMyNumberCard>(outcome);
        }
        else
        {
            var snapshot = Assert.IsType<CardReadOutcome.Read>(outcome).Card;
            Assert.Equal(kind, snapshot.Kind);
            Assert.Equal(persona.HasFacePhoto, snapshot.HasFacePhoto);
            PinStatus expectedPin = persona switch
            {
                { HasPin: false } => new PinStatus.NotIssued(),
                { PinTriesLeft: 0 } => new PinStatus.Blocked(),
                _ => new PinStatus.Ready(persona.PinTriesLeft),
            };
            Assert.Equal(expectedPin, snapshot.Pin);
            if (kind == CardKind.Android)
            {
                Assert.Null(snapshot.Certificate); // readable only after the PIN
            }
            else
            {
                var certificate = Assert.IsType<CertificateInfo>(snapshot.Certificate);
                Assert.Equal(card.AuthenticationCertificate!.NotAfter.ToUniversalTime(), certificate.NotAfter.UtcDateTime);
                Assert.Equal(card.AuthenticationCertificateDer.ToArray(), certificate.Der.ToArray());
                var expectedLifetime = persona.CertificateExpiresIn;
                Assert.InRange(certificate.NotAfter - DateTimeOffset.UtcNow, expectedLifetime - TimeSpan.FromDays(2), expectedLifetime + TimeSpan.FromDays(2));
            }
        }

        await stack.Reader.ReleaseAsync(Token);
        await stack.RemoveAsync(served);
        Assert.Null(stack.Reader.ActiveReaderName);
        Assert.Equal(0, card.AuditLog.Count(e => e.IsVerifyWithData));
        ForbiddenApdus.AssertNone(card);
    }

    [Fact(Timeout = 180_000)]
    public async Task PIN_path_right_wrong_last_try_and_blocked_through_pcscd()
    {
        await StartEmptyAsync();
        await using var stack = new VirtualCardStack(Token);

        // Right PIN: VERIFY, then the nonce signed and checked against the certificate.
        var normal = VirtualCard.Create("normal");
        await using (var served = await stack.InsertAsync(normal))
        {
            var read = Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token)).Card;
            Assert.IsType<PinOutcome.Verified>(await stack.Reader.VerifyPinAsync(PinOf(normal.Persona.Pin!), Token));
            Assert.NotNull(stack.Reader.LastProof);
            Assert.Equal(read.Certificate!.Der.ToArray(), stack.Reader.LastProof!.Certificate.Der.ToArray());
            await stack.RemoveAsync(served);
        }

        // Wrong PIN on a fresh card: one try spent, two left, and the read after it shows the counter.
        var wrong = VirtualCard.Create("normal");
        await using (var served = await stack.InsertAsync(wrong))
        {
            Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token));
            Assert.Equal(new PinOutcome.Wrong(2), await stack.Reader.VerifyPinAsync(PinOf("0000"), Token));
            Assert.Null(stack.Reader.LastProof);
            Assert.Equal(new PinStatus.Ready(2), Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token)).Card.Pin);
            Assert.Equal(2, wrong.TriesLeft(CardApplication.Jpki, CardConstants.Jpki.AuthPin));
            await stack.RemoveAsync(served);
        }

        // Last try: wrong → 63 C0 = blocked; again → 69 84 = blocked; even the right PIN cannot help any more.
        var lastTry = VirtualCard.Create("last-try");
        await using (var served = await stack.InsertAsync(lastTry))
        {
            Assert.Equal(new PinStatus.Ready(1), Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token)).Card.Pin);
            Assert.IsType<PinOutcome.Blocked>(await stack.Reader.VerifyPinAsync(PinOf("0000"), Token));
            Assert.Equal(StatusWord.TriesRemaining(0), lastTry.AuditLog.Last(e => e.IsVerifyWithData).Status);
            Assert.IsType<PinOutcome.Blocked>(await stack.Reader.VerifyPinAsync(PinOf(lastTry.Persona.Pin!), Token));
            Assert.Equal(new StatusWord(0x69, 0x84), lastTry.AuditLog.Last(e => e.IsVerifyWithData).Status);
            Assert.IsType<PinStatus.Blocked>(Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token)).Card.Pin);
            await stack.RemoveAsync(served);
        }

        // pin-blocked persona: already 69 84.
        var blocked = VirtualCard.Create("pin-blocked");
        await using (var served = await stack.InsertAsync(blocked))
        {
            Assert.IsType<PinStatus.Blocked>(Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token)).Card.Pin);
            Assert.IsType<PinOutcome.Blocked>(await stack.Reader.VerifyPinAsync(PinOf(blocked.Persona.Pin!), Token));
            Assert.Equal(new StatusWord(0x69, 0x84), blocked.AuditLog.Last(e => e.IsVerifyWithData).Status);
            await stack.RemoveAsync(served);
        }

        // Android: the certificate comes after the PIN.
        var android = VirtualCard.Create("android");
        await using (var served = await stack.InsertAsync(android))
        {
            Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token));
            var verified = Assert.IsType<PinOutcome.Verified>(await stack.Reader.VerifyPinAsync(PinOf(android.Persona.Pin!), Token));
            Assert.Equal(android.AuthenticationCertificateDer.ToArray(), verified.Certificate!.Der.ToArray());
            await stack.RemoveAsync(served);
        }

        foreach (var card in new[] { normal, wrong, lastTry, blocked, android })
        {
            ForbiddenApdus.AssertNone(card);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task Face_path_right_and_wrong_matching_number_through_pcscd()
    {
        await StartEmptyAsync();
        await using var stack = new VirtualCardStack(Token);

        var card = VirtualCard.Create("normal");
        await using (var served = await stack.InsertAsync(card))
        {
            Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token));
            var photo = Assert.IsType<FacePhotoOutcome.Photo>(await stack.Reader.ReadFacePhotoAsync(NumberB(card.Persona.MatchingNumberB), Token)).Image;
            Assert.Equal(card.Photo!.Width, photo.Width);
            Assert.Equal(card.Photo.Height, photo.Height);
            Assert.Equal(photo.Width * photo.Height * 3, photo.Bgr.Length);
            Assert.Contains(photo.Bgr, b => b != photo.Bgr[0]); // a face, not a blank

            // Wrong number (plausible, so it is spent): rejected with the card's tries left.
            Assert.Equal(new FacePhotoOutcome.Rejected(9), await stack.Reader.ReadFacePhotoAsync(WrongNumberB(card.Persona), Token));
            Assert.Equal(9, card.TriesLeft(CardApplication.CardFace, CardConstants.CardFace.MatchingNumberB));
            await stack.RemoveAsync(served);
        }

        // face-only (顔認証マイナンバーカード): no PIN, but the photo opens with 照合番号B.
        var faceOnly = VirtualCard.Create("face-only");
        await using (var served = await stack.InsertAsync(faceOnly))
        {
            Assert.IsType<PinStatus.NotIssued>(Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token)).Card.Pin);
            Assert.IsType<FacePhotoOutcome.Photo>(await stack.Reader.ReadFacePhotoAsync(NumberB(faceOnly.Persona.MatchingNumberB), Token));
            await stack.RemoveAsync(served);
        }

        ForbiddenApdus.AssertNone(card);
        ForbiddenApdus.AssertNone(faceOnly);
    }

    [Fact(Timeout = 180_000)]
    public async Task The_card_is_held_exclusive_during_the_session_and_unpowered_at_release()
    {
        await StartEmptyAsync();
        await using var stack = new VirtualCardStack(Token);
        var card = VirtualCard.Create("normal");
        var served = await stack.InsertAsync(card);

        Assert.IsType<CardReadOutcome.Read>(await stack.Reader.ReadAsync(Token));
        Assert.True(card.IsPowered);

        // Another process (another terminal, its own context) cannot get in while the session holds the card.
        await using (var other = VirtualCardStack.CreateTerminal())
        {
            Assert.IsType<ConnectResult.Busy>(await other.ConnectAsync(PcscdFixture.TrayReader, exclusive: true, Token));
            Assert.IsType<ConnectResult.Busy>(await other.ConnectAsync(PcscdFixture.TrayReader, exclusive: false, Token));
        }

        Assert.IsType<PinOutcome.Verified>(await stack.Reader.VerifyPinAsync(PinOf(card.Persona.Pin!), Token));
        Assert.True(card.IsVerified(CardConstants.Jpki.AuthPin));

        // Release = SCARD_UNPOWER_CARD: vpcd sends power-off well before pcscd's own idle power-off (~0.8 s).
        var released = Stopwatch.StartNew();
        await stack.Reader.ReleaseAsync(Token);
        while (card.IsPowered && released.Elapsed < TimeSpan.FromMilliseconds(500))
        {
            await Task.Delay(5, Token);
        }

        Assert.False(card.IsPowered, "vpcd did not receive power-off after ReleaseAsync");
        Assert.False(card.IsVerified(CardConstants.Jpki.AuthPin));
        output.WriteLine($"power-off seen {released.Elapsed.TotalMilliseconds:F1} ms after ReleaseAsync began");

        // Judged by order as well: the next connection finds a freshly powered card (its first command is the first after power-on).
        card.Faults.FirstCommandAfterPowerOnFails = true;
        await using (var other = VirtualCardStack.CreateTerminal())
        {
            await using var connection = Assert.IsType<ConnectResult.Connected>(await other.ConnectAsync(PcscdFixture.TrayReader, exclusive: true, Token)).Connection;
            var response = Assert.IsType<TransportResult.Response>(await connection.Transport.TransmitAsync(SelectJpki.ToArray(), Token));
            Assert.Equal([0x6F, 0x00], response.Bytes.ToArray());
        }

        card.Faults.FirstCommandAfterPowerOnFails = false;
        await stack.RemoveAsync(served);
        ForbiddenApdus.AssertNone(card);
    }

    public static TheoryData<string, int> Faults => new()
    {
        { "6F00-after-power-on", 0 },
        { "6F00", 1 }, { "6F00", 2 }, { "6F00", 5 }, { "6F00", 8 }, { "6F00", 9 }, { "6F00", 12 }, { "6F00", 14 }, { "6F00", 20 },
        { "truncated-1", 2 }, { "truncated-1", 4 }, { "truncated-1", 12 }, { "truncated-1", 20 },
        { "slow", 0 },
    };

    [Theory(Timeout = 120_000)]
    [MemberData(nameof(Faults))]
    public async Task Every_fault_gives_a_clear_outcome_and_the_reader_stays_usable(string fault, int command)
    {
        await StartEmptyAsync();
        await using var stack = new VirtualCardStack(Token);
        var card = VirtualCard.Create("normal");
        switch (fault)
        {
            case "6F00-after-power-on":
                card.Faults.FirstCommandAfterPowerOnFails = true;
                break;
            case "6F00":
                card.Faults.InternalErrorOnCommand = command;
                break;
            case "truncated-1":
                // Not 0 bytes: an empty R-APDU through vpcd left the exchange hanging in pcscd/vpcd (see the report).
                card.Faults.TruncateResponseOfCommand = command;
                card.Faults.TruncatedLength = 1;
                break;
            case "slow":
                card.Faults.ResponseDelay = TimeSpan.FromMilliseconds(100);
                break;
        }

        var served = await stack.InsertAsync(card);
        var (read, face) = await FacePathAsync(stack, card);
        output.WriteLine($"{fault} on command {command}: read → {read}; face → {Describe(face)}");

        switch (fault)
        {
            case "6F00-after-power-on" or "slow":
            case "6F00" when command == 1: // the reader's one retry of the first command after power-on
                Assert.IsType<CardReadOutcome.Read>(read);
                Assert.IsType<FacePhotoOutcome.Photo>(face);
                break;
            default:
                var readingApdus = ReadingApduCount(card);
                if (command <= readingApdus)
                {
                    Assert.IsType<CardReadOutcome.Unreadable>(read);
                    Assert.Null(face);
                }
                else
                {
                    Assert.IsType<CardReadOutcome.Read>(read);
                    Assert.IsType<FacePhotoOutcome.Failed>(face);
                }

                break;
        }

        await stack.RemoveAsync(served);
        ForbiddenApdus.AssertNone(card);
        await AssertUsableAgainAsync(stack);
    }

    [Fact(Timeout = 180_000)]
    public async Task Card_pulled_at_each_step_of_the_PIN_path()
    {
        await StartEmptyAsync();
        await using var stack = new VirtualCardStack(Token);
        var steps = await CountAsync(stack, PinPathAsync);
        output.WriteLine($"PIN path: {steps} APDUs");

        for (var n = 0; n < steps; n++)
        {
            var card = VirtualCard.Create("normal");
            card.Faults.PullAfterCommands = n;
            var served = await stack.InsertAsync(card);
            var (read, pin) = await PinPathAsync(stack, card);
            output.WriteLine($"pulled after {n}: read → {read}; PIN → {pin}");

            if (pin is null)
            {
                AssertPulledDuringReading(read);
            }
            else
            {
                Assert.IsType<CardReadOutcome.Read>(read);
                Assert.IsType<PinOutcome.Failed>(pin);
            }

            Assert.Equal(n, card.CommandCount);
            await stack.ExpectPulledAsync(served);
            ForbiddenApdus.AssertNone(card);
        }

        await AssertUsableAgainAsync(stack);
    }

    [Fact(Timeout = 180_000)]
    public async Task Card_pulled_at_each_step_of_the_face_path()
    {
        await StartEmptyAsync();
        await using var stack = new VirtualCardStack(Token);
        var steps = await CountAsync(stack, FacePathAsync);
        output.WriteLine($"Face path: {steps} APDUs");
        Assert.InRange(steps, 1, FacePathBudget);

        for (var n = 0; n < steps; n++)
        {
            var card = VirtualCard.Create("normal");
            card.Faults.PullAfterCommands = n;
            var served = await stack.InsertAsync(card);
            var (read, face) = await FacePathAsync(stack, card);
            output.WriteLine($"pulled after {n}: read → {read}; face → {Describe(face)}");

            if (face is null)
            {
                AssertPulledDuringReading(read);
            }
            else
            {
                Assert.IsType<CardReadOutcome.Read>(read);
                Assert.IsType<FacePhotoOutcome.Failed>(face);
            }

            Assert.Equal(n, card.CommandCount);
            await stack.ExpectPulledAsync(served);
            ForbiddenApdus.AssertNone(card);
        }

        await AssertUsableAgainAsync(stack);
    }

    [Fact(Timeout = 180_000)]
    public async Task Figures_APDU_counts_wall_times_and_per_APDU_overhead()
    {
        await StartEmptyAsync();
        const int runs = 7;
        const int apdus = 200;
        await using var stack = new VirtualCardStack(Token);
        var card = VirtualCard.Create("normal");
        var served = await stack.InsertAsync(card);

        // Warm up (JIT, PKI caches, libopenjp2), then time both sequences on the same inserted card.
        await PinPathAsync(stack, card);
        await FacePathAsync(stack, card);

        var pinTimes = new double[runs];
        var pinCounts = new int[runs];
        var faceTimes = new double[runs];
        var faceCounts = new int[runs];
        for (var i = 0; i < runs; i++)
        {
            var mark = card.AuditLog.Count;
            var clock = Stopwatch.StartNew();
            var (read, pin) = await PinPathAsync(stack, card);
            pinTimes[i] = clock.Elapsed.TotalMilliseconds;
            pinCounts[i] = card.AuditLog.Count - mark;
            Assert.IsType<CardReadOutcome.Read>(read);
            Assert.IsType<PinOutcome.Verified>(pin);

            mark = card.AuditLog.Count;
            clock.Restart();
            var (faceRead, face) = await FacePathAsync(stack, card);
            faceTimes[i] = clock.Elapsed.TotalMilliseconds;
            faceCounts[i] = card.AuditLog.Count - mark;
            Assert.IsType<CardReadOutcome.Read>(faceRead);
            Assert.IsType<FacePhotoOutcome.Photo>(face);
        }

        await stack.Reader.ReleaseAsync(Token);
        output.WriteLine($"PIN path through pcscd (ReadAsync + VerifyPinAsync): {pinCounts[0]} APDUs, median {Median(pinTimes):F1} ms of {runs} runs (min {pinTimes.Min():F1}, max {pinTimes.Max():F1})");
        output.WriteLine($"Face path through pcscd (ReadAsync + ReadFacePhotoAsync, {card.PhotoJp2!.Length}-byte JP2): {faceCounts[0]} APDUs, median {Median(faceTimes):F1} ms of {runs} runs (min {faceTimes.Min():F1}, max {faceTimes.Max():F1})");
        Assert.All(pinCounts, count => Assert.Equal(pinCounts[0], count));
        Assert.All(faceCounts, count => Assert.True(count <= FacePathBudget, $"face path took {count} APDUs"));

        // Per APDU: SELECT JPKI (15 bytes → 2 bytes) ×200 each way, medians.
        var inProcessCard = VirtualCard.Create("normal");
        inProcessCard.PowerOn();
        var command = SelectJpki.ToArray();
        var inProcess = Time(apdus, () => inProcessCard.Process(command));

        double[] stackTimes;
        await using (var connection = Assert.IsType<ConnectResult.Connected>(await stack.Terminal.ConnectAsync(served.ReaderName, exclusive: true, Token)).Connection)
        {
            await using var guard = ApduGuard.Open(connection);
            for (var i = 0; i < 20; i++)
            {
                await guard.TransmitAsync(SelectJpki, Token);
            }

            stackTimes = new double[apdus];
            for (var i = 0; i < apdus; i++)
            {
                var start = Stopwatch.GetTimestamp();
                Assert.IsType<GuardResult.Answered>(await guard.TransmitAsync(SelectJpki, Token));
                stackTimes[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }

        double[] raw;
        using (var context = PcscContext.Establish().GetValueOrThrow())
        using (var pcscCard = context.Connect(served.ReaderName, PcscShareMode.Exclusive, PcscProtocols.Any).GetValueOrThrow())
        {
            var buffer = new byte[PcscCard.ShortResponseCapacity];
            for (var i = 0; i < 20; i++)
            {
                pcscCard.Transmit(command, buffer).GetValueOrThrow();
            }

            raw = Time(apdus, () => Assert.Equal(2, pcscCard.Transmit(command, buffer).GetValueOrThrow()));
        }

        var stackMedian = Median(stackTimes);
        var rawMedian = Median(raw);
        var inProcessMedian = Median(inProcess);
        output.WriteLine($"Per APDU (SELECT JPKI, median of {apdus}): in-process VirtualCard.Process {inProcessMedian * 1000:F1} µs; " +
                         $"raw PcscCard.Transmit via pcscd + vpcd + VpcdClient {rawMedian:F3} ms; " +
                         $"ApduGuard + PcscCardTerminal transport {stackMedian:F3} ms");
        output.WriteLine($"Overhead of the stack: +{(stackMedian - rawMedian) * 1000:F1} µs per APDU over raw PcscCard.Transmit (guard + pool-thread hop); " +
                         $"+{(stackMedian - inProcessMedian) * 1000:F1} µs per APDU over the in-process round trip (the whole pcscd/vpcd path)");

        await stack.RemoveAsync(served);
        ForbiddenApdus.AssertNone(card);
    }

    // ---- helpers ----

    /// <summary>
    /// A card pulled while ReadAsync runs: Removed, or — through vpcd, whose driver answers the APDU in flight with
    /// 0 bytes and success when the vicc disconnects — Unreadable ("answered 0 byte(s)"). Never a snapshot.
    /// </summary>
    private static void AssertPulledDuringReading(CardReadOutcome read) =>
        Assert.True(read is CardReadOutcome.Removed or CardReadOutcome.Unreadable, $"pulled during reading gave {read}");

    /// <summary>ReadAsync, then (when it read a card) VerifyPinAsync with the persona's PIN. Never throws for card faults.</summary>
    private static async Task<(CardReadOutcome Read, PinOutcome? Pin)> PinPathAsync(VirtualCardStack stack, VirtualCard card)
    {
        var read = await stack.Reader.ReadAsync(Token);
        if (read is not CardReadOutcome.Read)
        {
            return (read, null);
        }

        return (read, await stack.Reader.VerifyPinAsync(PinOf(card.Persona.Pin!), Token));
    }

    /// <summary>ReadAsync, then (when it read a card) ReadFacePhotoAsync with the persona's 照合番号B.</summary>
    private static async Task<(CardReadOutcome Read, FacePhotoOutcome? Face)> FacePathAsync(VirtualCardStack stack, VirtualCard card)
    {
        var read = await stack.Reader.ReadAsync(Token);
        if (read is not CardReadOutcome.Read)
        {
            return (read, null);
        }

        return (read, await stack.Reader.ReadFacePhotoAsync(NumberB(card.Persona.MatchingNumberB), Token));
    }

    /// <summary>APDUs a path sends on a healthy card, from the audit log (the card is inserted and removed here).</summary>
    private static async Task<int> CountAsync<T>(VirtualCardStack stack, Func<VirtualCardStack, VirtualCard, Task<T>> path)
    {
        var card = VirtualCard.Create("normal");
        var served = await stack.InsertAsync(card);
        await path(stack, card);
        await stack.Reader.ReleaseAsync(Token);
        await stack.RemoveAsync(served);
        ForbiddenApdus.AssertNone(card);
        return card.AuditLog.Count;
    }

    /// <summary>Commands ReadAsync sends on a healthy plastic card (SELECT JPKI … SELECT 券面AP).</summary>
    private static int ReadingApduCount(VirtualCard card)
    {
        var log = card.AuditLog;
        var faceSelect = log.ToList().FindIndex(e => e.SelectedApplication == CardApplication.CardFace);
        return faceSelect < 0 ? log.Count : faceSelect + 1;
    }

    /// <summary>A healthy card in the same reader reads and gives its photo: nothing of the previous card is left behind.</summary>
    private static async Task AssertUsableAgainAsync(VirtualCardStack stack)
    {
        var card = VirtualCard.Create("normal");
        var served = await stack.InsertAsync(card);
        var (read, face) = await FacePathAsync(stack, card);
        Assert.IsType<CardReadOutcome.Read>(read);
        Assert.IsType<FacePhotoOutcome.Photo>(face);
        await stack.Reader.ReleaseAsync(Token);
        await stack.RemoveAsync(served);
        ForbiddenApdus.AssertNone(card);
    }

    private static string Describe(FacePhotoOutcome? face) => face switch
    {
        null => "(not tried)",
        FacePhotoOutcome.Photo photo => $"Photo {photo.Image.Width}×{photo.Image.Height}",
        _ => face.ToString(),
    };

    private static double[] Time(int count, Action action)
    {
        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        return times;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
