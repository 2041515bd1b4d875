using System.Text;
using MynaTerminal.Pcsc.Native;

namespace MynaTerminal.Pcsc;

/// <summary>
/// A connected card (SCARDHANDLE plus the protocol pcscd negotiated). <see cref="Dispose"/> without
/// <see cref="Disconnect"/> unpowers the card. Calls block; one at a time per card.
/// </summary>
public sealed class PcscCard : IPcscCard
{
    /// <summary>Receive buffer for short APDUs: 256 data bytes + SW1 SW2.</summary>
    public const int ShortResponseCapacity = 258;

    /// <summary>Receive buffer for extended-length APDUs: 65536 data bytes + SW1 SW2.</summary>
    public const int ExtendedResponseCapacity = 65538;

    private readonly PcscCardHandle _handle;

    internal PcscCard(PcscCardHandle handle, PcscProtocols activeProtocol)
    {
        _handle = handle;
        ActiveProtocol = activeProtocol;
    }

    /// <summary>T=0 or T=1 as negotiated by <c>SCardConnect</c> / <see cref="Reconnect"/>.</summary>
    public PcscProtocols ActiveProtocol { get; private set; }

    /// <summary>
    /// <c>SCardTransmit</c> with the PCI of <see cref="ActiveProtocol"/>; returns how many bytes of
    /// <paramref name="response"/> hold the R-APDU (data + SW1 SW2).
    /// </summary>
    public unsafe PcscResult<int> Transmit(ReadOnlySpan<byte> command, Span<byte> response)
    {
        var sendPci = ScardIoRequest.For(ActiveProtocol);
        var length = (nuint)response.Length;
        PcscError error;
        fixed (byte* send = command)
        fixed (byte* receive = response)
        {
            error = PcscLite.ToError(PcscLite.SCardTransmit(_handle, &sendPci, send, (nuint)command.Length, null, receive, ref length));
        }

        return error == PcscError.Success
            ? PcscResult<int>.Success((int)length)
            : PcscResult<int>.Fail(error);
    }

    /// <summary>Transmit into a fresh array: 258-byte buffer for short APDUs, 65538 for extended ones.</summary>
    public PcscResult<byte[]> Transmit(ReadOnlySpan<byte> command)
    {
        var buffer = new byte[IsExtendedLength(command) ? ExtendedResponseCapacity : ShortResponseCapacity];
        return Transmit(command, buffer).Map(length => buffer.AsSpan(0, length).ToArray());
    }

    /// <summary><c>SCardStatus</c>: reader, card state, protocol and ATR.</summary>
    public unsafe PcscResult<PcscCardStatus> Status()
    {
        Span<byte> name = stackalloc byte[PcscLite.MaxReaderName * 2];
        Span<byte> atr = stackalloc byte[PcscLite.MaxAtrSize];
        var nameLength = (nuint)name.Length;
        var atrLength = (nuint)atr.Length;
        PcscError error;
        nuint state;
        nuint protocol;
        fixed (byte* namePointer = name)
        fixed (byte* atrPointer = atr)
        {
            error = PcscLite.ToError(PcscLite.SCardStatus(_handle, namePointer, ref nameLength, out state, out protocol, atrPointer, ref atrLength));
        }

        if (error != PcscError.Success)
        {
            return PcscResult<PcscCardStatus>.Fail(error);
        }

        var readerName = name[..(int)Math.Min(nameLength, (nuint)name.Length)];
        var end = readerName.IndexOf((byte)0);
        return PcscResult<PcscCardStatus>.Success(new PcscCardStatus(
            Encoding.UTF8.GetString(end < 0 ? readerName : readerName[..end]),
            (PcscCardStates)(uint)state,
            (PcscProtocols)(uint)protocol,
            atr[..(int)Math.Min(atrLength, (nuint)atr.Length)].ToArray()));
    }

    /// <summary><c>SCardReconnect</c>: e.g. a warm reset (<see cref="PcscDisposition.Reset"/>) keeping the handle.</summary>
    public PcscError Reconnect(PcscShareMode shareMode, PcscProtocols preferredProtocols, PcscDisposition initialization)
    {
        var error = PcscLite.ToError(PcscLite.SCardReconnect(
            _handle, (nuint)(uint)shareMode, (nuint)(uint)preferredProtocols, (nuint)(uint)initialization, out var protocol));
        if (error == PcscError.Success)
        {
            ActiveProtocol = (PcscProtocols)(uint)protocol;
        }

        return error;
    }

    /// <summary><c>SCardBeginTransaction</c>: keeps other shared connections out until <see cref="EndTransaction"/>.</summary>
    public PcscError BeginTransaction() => PcscLite.ToError(PcscLite.SCardBeginTransaction(_handle));

    /// <summary><c>SCardEndTransaction</c>.</summary>
    public PcscError EndTransaction(PcscDisposition disposition) =>
        PcscLite.ToError(PcscLite.SCardEndTransaction(_handle, (nuint)(uint)disposition));

    /// <summary>
    /// <c>SCardDisconnect</c> with <paramref name="disposition"/>. The handle is closed whatever the result
    /// (a card already pulled out gives an error that needs no handling).
    /// </summary>
    public PcscError Disconnect(PcscDisposition disposition)
    {
        if (_handle.IsClosed)
        {
            return PcscError.InvalidHandle;
        }

        _handle.Disposition = disposition;
        _handle.Dispose();
        return _handle.DisconnectResult;
    }

    /// <summary>Closes the handle; a card still connected is unpowered (SCARD_UNPOWER_CARD).</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>True for an extended-length C-APDU (ISO 7816-4: a 0x00 byte after the header, then 2-byte lengths).</summary>
    internal static bool IsExtendedLength(ReadOnlySpan<byte> command) => command.Length >= 7 && command[4] == 0;
}
