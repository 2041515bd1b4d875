using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using MynaTerminal.Simulation;

namespace MynaTerminal.Terminal.Tests;

/// <summary>
/// The virtual My Number Card reader: presence events and the card's PIN and 照合番号B counters. Each test gets a
/// fresh reader (the counters live as long as the reader).
/// </summary>
public sealed class SimulatedCardReaderTests : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(10);

    // The test CA is valid from 15 years before the real now: the fake clock must start near it.
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly SimulatedCardReader _reader;

    public SimulatedCardReaderTests() => _reader = new SimulatedCardReader(_clock);

    public void Dispose() => _reader.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Pin PinOf(string digits) => Pin.FromDigits(digits.Select(c => c - '0').ToArray());

    private async Task<PinOutcome> VerifyAsync(string digits)
    {
        using var pin = PinOf(digits);
        return await _reader.VerifyPinAsync(pin, Ct);
    }

    private async Task<CardSnapshot> ReadCardAsync() =>
        Assert.IsType<CardReadOutcome.Read>(await _reader.ReadAsync(Ct)).Card;

    private static MatchingNumberB Number(string digits)
    {
        Assert.True(MatchingNumberB.TryCreate(digits, DateTimeOffset.UtcNow, out var number));
        return number!;
    }

    [Fact]
    public async Task Insert_and_remove_raise_presence_events_with_the_reader_role()
    {
        await using var watch = _reader.WatchAsync(Ct).GetAsyncEnumerator(Ct);

        _reader.Remove(); // nothing in the reader: no event
        _reader.Insert(Persona.Get("normal"));
        _reader.Remove();
        _reader.Insert(Persona.Get("android"));
        _reader.Remove();

        var seen = new List<CardPresence>();
        for (var i = 0; i < 4; i++)
        {
            Assert.True(await watch.MoveNextAsync().AsTask().WaitAsync(Generous, Ct));
            seen.Add(watch.Current);
        }

        Assert.Equal(
            [
                new CardPresence(ReaderRole.CardTray, true), new CardPresence(ReaderRole.CardTray, false),
                new CardPresence(ReaderRole.Phone, true), new CardPresence(ReaderRole.Phone, false),
            ],
            seen);
    }

    [Fact]
    public async Task Android_gives_its_certificate_only_with_the_correct_PIN()
    {
        var android = Persona.Get("android");
        _reader.Insert(android);

        var verified = Assert.IsType<PinOutcome.Verified>(await VerifyAsync(android.Pin!));

        var certificate = Assert.IsType<CertificateInfo>(verified.Certificate);
        Assert.Contains("TEST", certificate.Issuer, StringComparison.Ordinal);
        Assert.Same(android, _reader.HolderOf(certificate.SerialNumberHex));
    }

    [Fact]
    public async Task A_plastic_card_verifies_without_handing_out_the_certificate_again()
    {
        var normal = Persona.Get("normal");
        _reader.Insert(normal);
        Assert.Equal(new PinOutcome.Verified(null), await VerifyAsync(normal.Pin!));
        Assert.Equal(1, _reader.PinVerifyCount);
    }

    [Fact]
    public async Task Wrong_PINs_count_down_across_sessions_and_the_third_blocks()
    {
        var normal = Persona.Get("normal");
        _reader.Insert(normal);
        Assert.Equal(new PinOutcome.Wrong(2), await VerifyAsync("0000"));
        _reader.Remove();

        _reader.Insert(normal); // another visit, same card
        Assert.Equal(new PinStatus.Ready(2), (await ReadCardAsync()).Pin);
        Assert.Equal(new PinOutcome.Wrong(1), await VerifyAsync("1111"));
        _reader.Remove();

        _reader.Insert(normal);
        Assert.Equal(new PinStatus.Ready(1), (await ReadCardAsync()).Pin);
        Assert.IsType<PinOutcome.Blocked>(await VerifyAsync("2222"));
        Assert.IsType<PinStatus.Blocked>((await ReadCardAsync()).Pin);

        // Blocked is blocked: even the right PIN no longer verifies.
        Assert.IsType<PinOutcome.Blocked>(await VerifyAsync(normal.Pin!));
        Assert.Equal(4, _reader.PinVerifyCount);
        _reader.Remove();

        // Counters belong to the card: another persona is untouched.
        _reader.Insert(Persona.Get("expiring"));
        Assert.Equal(new PinStatus.Ready(3), (await ReadCardAsync()).Pin);
    }

    [Fact]
    public async Task The_correct_PIN_resets_the_counter_to_three()
    {
        var normal = Persona.Get("normal");
        _reader.Insert(normal);
        Assert.Equal(new PinOutcome.Wrong(2), await VerifyAsync("9876"));
        Assert.Equal(new PinOutcome.Wrong(1), await VerifyAsync("9876"));

        Assert.IsType<PinOutcome.Verified>(await VerifyAsync(normal.Pin!));

        Assert.Equal(new PinStatus.Ready(3), (await ReadCardAsync()).Pin);
        Assert.Equal(new PinOutcome.Wrong(2), await VerifyAsync("9876"));
    }

    [Fact]
    public async Task The_last_try_persona_blocks_on_one_wrong_PIN()
    {
        _reader.Insert(Persona.Get("last-try"));
        Assert.IsType<PinOutcome.Blocked>(await VerifyAsync("0000"));
    }

    [Fact]
    public async Task A_face_only_card_refuses_every_PIN()
    {
        _reader.Insert(Persona.Get("face-only"));
        Assert.IsType<PinOutcome.Blocked>(await VerifyAsync("1234"));
    }

    [Fact]
    public async Task A_PIN_without_a_card_fails()
    {
        Assert.IsType<PinOutcome.Failed>(await VerifyAsync("1234"));
        Assert.Equal(0, _reader.PinVerifyCount);
    }

    [Fact]
    public async Task A_disposed_PIN_cannot_be_read_and_spends_no_try()
    {
        _reader.Insert(Persona.Get("normal"));
        var pin = PinOf("0000");
        pin.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => _reader.VerifyPinAsync(pin, Ct));

        Assert.Equal(0, _reader.PinVerifyCount);
        Assert.Equal(new PinStatus.Ready(3), (await ReadCardAsync()).Pin);
    }

    [Fact]
    public void The_reader_keeps_no_reference_to_a_PIN_it_verified()
    {
        _reader.Insert(Persona.Get("normal"));

        var weak = VerifyAndDrop(_reader);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        Assert.False(weak.IsAlive, "the reader still holds the Pin object");
        Assert.Equal(1, _reader.PinVerifyCount);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference VerifyAndDrop(SimulatedCardReader reader)
    {
        var pin = PinOf("1234");
        var verify = reader.VerifyPinAsync(pin, CancellationToken.None);
        Assert.True(verify.IsCompletedSuccessfully);
        Assert.IsType<PinOutcome.Verified>(verify.Result);
        pin.Dispose();
        return new WeakReference(pin);
    }

    [Fact]
    public async Task A_wrong_matching_number_spends_a_try_and_the_right_one_gives_the_photo()
    {
        var normal = Persona.Get("normal");
        _reader.Insert(normal);
        var wrong = Number("60040120290428");

        Assert.Equal(new FacePhotoOutcome.Rejected(9), await _reader.ReadFacePhotoAsync(wrong, Ct));
        Assert.Equal(new FacePhotoOutcome.Rejected(8), await _reader.ReadFacePhotoAsync(wrong, Ct));

        var photo = Assert.IsType<FacePhotoOutcome.Photo>(await _reader.ReadFacePhotoAsync(Number(normal.MatchingNumberB), Ct));
        Assert.Equal(normal.FaceId, photo.Image.SimulationTag);

        // The right number resets the counter.
        Assert.Equal(new FacePhotoOutcome.Rejected(9), await _reader.ReadFacePhotoAsync(wrong, Ct));
        Assert.Equal(0, _reader.PinVerifyCount);
    }

    [Fact]
    public async Task Ten_wrong_matching_numbers_lock_the_face_photo()
    {
        var normal = Persona.Get("normal");
        _reader.Insert(normal);
        var wrong = Number("60040120290428");
        for (var left = 9; left >= 0; left--)
        {
            Assert.Equal(new FacePhotoOutcome.Rejected(left), await _reader.ReadFacePhotoAsync(wrong, Ct));
        }

        Assert.Equal(new FacePhotoOutcome.Rejected(0), await _reader.ReadFacePhotoAsync(Number(normal.MatchingNumberB), Ct));
    }
}
