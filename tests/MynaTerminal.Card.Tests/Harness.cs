using System.Threading.Channels;
using MynaTerminal.Card.Apdu;
using MynaTerminal.Card.Data;
using MynaTerminal.Card.Emulator;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Card.Tests;

/// <summary>A virtual terminal, a <see cref="MyNumberCardReader"/> over it and a running presence watch, as the session runner has them.</summary>
internal sealed class ReaderHarness : IAsyncDisposable
{
    private readonly Channel<CardPresence> _presence = Channel.CreateUnbounded<CardPresence>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watch;

    public ReaderHarness(CardOptions? options = null, CardFaceTrustAnchors? anchors = null, bool noAnchors = false)
    {
        Terminal = new VirtualCardTerminal();
        Options = options ?? new CardOptions { ConnectRetryDelay = TimeSpan.Zero, ConnectAttempts = 2 };
        Reader = new MyNumberCardReader(Terminal, Options, TimeProvider.System, noAnchors ? null : anchors ?? EmulatorPki.CardFaceTrustAnchors);
        _watch = Task.Run(async () =>
        {
            await foreach (var presence in Reader.WatchAsync(_stop.Token))
            {
                _presence.Writer.TryWrite(presence);
            }
        });
    }

    public VirtualCardTerminal Terminal { get; }

    public CardOptions Options { get; }

    public MyNumberCardReader Reader { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Inserts the card and waits until the reader has seen it arrive.</summary>
    public async Task<CardPresence> InsertAsync(VirtualCard card)
    {
        Terminal.Insert(card);
        return await NextPresenceAsync();
    }

    public async Task<CardPresence> NextPresenceAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await _presence.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Inserts and reads.</summary>
    public async Task<CardReadOutcome> InsertAndReadAsync(VirtualCard card)
    {
        await InsertAsync(card);
        return await Reader.ReadAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _watch;
        }
        catch (OperationCanceledException)
        {
        }

        await Reader.DisposeAsync();
        _stop.Dispose();
    }
}

/// <summary>Hex helpers and a direct line to a virtual card.</summary>
internal static class Hex
{
    public static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    public static string Of(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);

    /// <summary>Sends a hex APDU to the card; returns the data and the status word.</summary>
    public static (byte[] Data, StatusWord Sw) Send(this VirtualCard card, string hex)
    {
        var response = card.Process(Bytes(hex));
        return (response[..^2], new StatusWord(response[^2], response[^1]));
    }

    public const string SelectJpki = "00A4040C0AD392F000260100000001";
    public const string SelectCardFace = "00A4040C0AD3921000310001010402";
    public const string SelectTextAssist = "00A4040C0AD3921000310001010408";
}
