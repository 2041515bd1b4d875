using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Simulation;

namespace MynaTerminal.Terminal.Tests;

/// <summary>
/// One simulated reader for the tests that only read cards (no VERIFY, so no counter moves): building a reader
/// generates two RSA-2048 keys, which is most of the cost of a test.
/// </summary>
public sealed class SharedReader : IDisposable
{
    // The test CA is valid from 15 years before the real now: the fake clock must start near it.
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public SimulatedCardReader Reader { get; }

    public SharedReader() => Reader = new SimulatedCardReader(Clock);

    public void Dispose() => Reader.Dispose();
}

/// <summary>What each persona's card answers when read, and who a certificate belongs to.</summary>
public sealed class SimulatedCardReaderPersonaTests : IClassFixture<SharedReader>
{
    private readonly FakeTimeProvider _clock;
    private readonly SimulatedCardReader _reader;

    public SimulatedCardReaderPersonaTests(SharedReader shared)
    {
        _clock = shared.Clock;
        _reader = shared.Reader;
        _reader.Remove(); // whatever an earlier test left in the reader
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> PersonaIds => new(Persona.All.Select(p => p.Id));

    private async Task<CardSnapshot> ReadCardAsync() =>
        Assert.IsType<CardReadOutcome.Read>(await _reader.ReadAsync(Ct)).Card;

    [Theory]
    [MemberData(nameof(PersonaIds))]
    public async Task Each_persona_reads_as_its_card(string id)
    {
        var persona = Persona.Get(id);
        var now = _clock.GetUtcNow();
        _reader.Insert(persona);

        var outcome = await _reader.ReadAsync(Ct);

        if (persona.Kind is null)
        {
            Assert.IsType<CardReadOutcome.NotMyNumberCard>(outcome);
            return;
        }

        var card = Assert.IsType<CardReadOutcome.Read>(outcome).Card;
        Assert.Equal(persona.Kind, card.Kind);
        Assert.Equal(persona.HasFacePhoto, card.HasFacePhoto);
        Assert.Equal(persona.PinState, card.Pin);
        if (persona.Kind == CardKind.Android)
        {
            Assert.Null(card.Certificate); // only after the PIN
            return;
        }

        var certificate = Assert.IsType<CertificateInfo>(card.Certificate);
        Assert.Contains("TEST", certificate.Issuer, StringComparison.Ordinal);
        Assert.InRange(certificate.NotAfter, now + persona.ExpiresIn - TimeSpan.FromSeconds(2), now + persona.ExpiresIn + TimeSpan.FromSeconds(2));
        Assert.False(certificate.Der.IsEmpty);
        Assert.Same(persona, _reader.HolderOf(certificate.SerialNumberHex));
    }

    [Fact]
    public async Task The_certificate_lifetime_follows_the_clock_at_insertion()
    {
        var normal = Persona.Get("normal");
        _reader.Insert(normal);
        var first = (await ReadCardAsync()).Certificate!.NotAfter;
        _reader.Remove();

        _clock.Advance(TimeSpan.FromDays(10));
        _reader.Insert(normal);
        var second = (await ReadCardAsync()).Certificate!.NotAfter;

        Assert.InRange(second - first, TimeSpan.FromDays(10) - TimeSpan.FromSeconds(2), TimeSpan.FromDays(10) + TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData("face-only", typeof(PinStatus.NotIssued))]
    [InlineData("pin-blocked", typeof(PinStatus.Blocked))]
    public async Task Cards_without_a_usable_PIN_say_why(string id, Type status)
    {
        _reader.Insert(Persona.Get(id));
        var card = await ReadCardAsync();
        Assert.IsType(status, card.Pin);
        Assert.False(card.Pin.IsUsable);
    }

    [Fact]
    public async Task Reading_an_empty_reader_says_removed()
    {
        Assert.IsType<CardReadOutcome.Removed>(await _reader.ReadAsync(Ct));
        _reader.Insert(Persona.Get("normal"));
        _reader.Remove();
        Assert.IsType<CardReadOutcome.Removed>(await _reader.ReadAsync(Ct));
        Assert.Null(_reader.Current);
    }

    [Fact]
    public void A_second_card_cannot_be_inserted()
    {
        _reader.Insert(Persona.Get("normal"));
        Assert.Throws<InvalidOperationException>(() => _reader.Insert(Persona.Get("expiring")));
        Assert.Equal("normal", _reader.Current?.Id);
    }

    [Fact]
    public async Task HolderOf_finds_the_persona_by_serial_even_after_removal()
    {
        var expiring = Persona.Get("expiring");
        _reader.Insert(expiring);
        var serial = (await ReadCardAsync()).Certificate!.SerialNumberHex;
        _reader.Remove();
        _reader.Insert(Persona.Get("normal"));
        var other = (await ReadCardAsync()).Certificate!.SerialNumberHex;

        Assert.NotEqual(serial, other);
        Assert.Same(expiring, _reader.HolderOf(serial));
        Assert.Same(expiring, _reader.HolderOf(serial.ToLowerInvariant()));
        Assert.Equal("normal", _reader.HolderOf(other)?.Id);
        Assert.Null(_reader.HolderOf("0123456789ABCDEF"));
    }

    [Fact]
    public async Task Credentials_without_a_face_photo_fail_the_face_photo_read()
    {
        Assert.True(MatchingNumberB.TryCreate("60040120300427", _clock.GetUtcNow(), out var number));
        _reader.Insert(Persona.Get("iphone"));
        Assert.IsType<FacePhotoOutcome.Failed>(await _reader.ReadFacePhotoAsync(number!, Ct));
    }

    [Fact]
    public async Task Reading_honours_cancellation()
    {
        _reader.Insert(Persona.Get("normal"));
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _reader.ReadAsync(cts.Token));
    }
}
