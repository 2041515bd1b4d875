using System.Runtime.InteropServices;
using System.Text;
using MynaTerminal.Pcsc.Native;

namespace MynaTerminal.Pcsc;

/// <summary>
/// A PC/SC resource-manager context (SCARDCONTEXT) of pcsc-lite. Rules, as pcsc-sharp's README puts them: one
/// context per monitor and one per card connection; a blocked <see cref="GetStatusChange"/> holds the context,
/// and only <see cref="Cancel"/> may be called on it from another thread meanwhile. A context dies with pcscd
/// (<see cref="PcscError.NoService"/>, <see cref="PcscError.InvalidHandle"/>): dispose it and establish a new one.
/// Calls block; run them off threads that must stay responsive.
/// </summary>
public sealed class PcscContext : IPcscContext
{
    /// <summary>The pseudo-reader whose state changes when readers are plugged in or out (pcsc-lite ≥ 1.6).</summary>
    public const string PnpNotificationReader = PcscLite.PnpNotificationReader;

    private readonly PcscContextHandle _handle;

    private PcscContext(PcscContextHandle handle) => _handle = handle;

    /// <summary><c>SCardEstablishContext</c>. <see cref="PcscError.NoService"/> when pcscd is not (yet) running.</summary>
    public static PcscResult<PcscContext> Establish(PcscScope scope = PcscScope.System)
    {
        PcscError error;
        PcscContextHandle handle;
        try
        {
            error = PcscLite.ToError(PcscLite.SCardEstablishContext((nuint)(uint)scope, 0, 0, out handle));
        }
        catch (DllNotFoundException)
        {
            // No libpcsclite.so.1 on this machine: to the caller that is the same as no PC/SC service.
            return PcscResult<PcscContext>.Fail(PcscError.NoService);
        }

        if (error != PcscError.Success)
        {
            handle.Dispose();
            return PcscResult<PcscContext>.Fail(error);
        }

        return PcscResult<PcscContext>.Success(new PcscContext(handle));
    }

    /// <summary><c>SCardIsValidContext</c>: <see cref="PcscError.Success"/> while pcscd still knows this context.</summary>
    public PcscError IsValid() => PcscLite.ToError(PcscLite.SCardIsValidContext(_handle));

    /// <summary>
    /// <c>SCardListReaders</c>: the reader names in pcscd's order. No reader plugged in is an empty list, not an
    /// error (<see cref="PcscError.NoReadersAvailable"/> is folded in).
    /// </summary>
    public unsafe PcscResult<IReadOnlyList<string>> ListReaders()
    {
        // A reader can be plugged in between the size query and the read: retry on a short buffer.
        for (var attempt = 0; ; attempt++)
        {
            nuint length = 0;
            var error = PcscLite.ToError(PcscLite.SCardListReaders(_handle, null, null, ref length));
            if (error == PcscError.NoReadersAvailable)
            {
                return PcscResult<IReadOnlyList<string>>.Success([]);
            }

            if (error != PcscError.Success)
            {
                return PcscResult<IReadOnlyList<string>>.Fail(error);
            }

            var buffer = new byte[(int)length];
            fixed (byte* pointer = buffer)
            {
                error = PcscLite.ToError(PcscLite.SCardListReaders(_handle, null, pointer, ref length));
            }

            switch (error)
            {
                case PcscError.Success:
                    return PcscResult<IReadOnlyList<string>>.Success(ParseMultiString(buffer.AsSpan(0, (int)length)));
                case PcscError.NoReadersAvailable:
                    return PcscResult<IReadOnlyList<string>>.Success([]);
                case PcscError.InsufficientBuffer when attempt < 3:
                    continue;
                default:
                    return PcscResult<IReadOnlyList<string>>.Fail(error);
            }
        }
    }

    /// <summary>
    /// <c>SCardGetStatusChange</c>: blocks until a reader's state differs from its
    /// <see cref="PcscReaderState.CurrentState"/>, the time-out passes (<see cref="PcscError.Timeout"/>) or
    /// <see cref="Cancel"/> is called (<see cref="PcscError.Cancelled"/>). A null <paramref name="timeout"/>
    /// waits forever. Fills <see cref="PcscReaderState.EventState"/> and <see cref="PcscReaderState.Atr"/>.
    /// </summary>
    public unsafe PcscError GetStatusChange(TimeSpan? timeout, IReadOnlyList<PcscReaderState> readers)
    {
        ArgumentNullException.ThrowIfNull(readers);
        var milliseconds = timeout is { } t
            ? (uint)Math.Clamp(Math.Ceiling(t.TotalMilliseconds), 0, PcscLite.Infinite - 1)
            : PcscLite.Infinite;

        var native = new ScardReaderState[readers.Count];
        var names = new nint[readers.Count];
        try
        {
            for (var i = 0; i < readers.Count; i++)
            {
                names[i] = Marshal.StringToCoTaskMemUTF8(readers[i].ReaderName);
                native[i].szReader = names[i];
                native[i].dwCurrentState = (nuint)(uint)readers[i].CurrentState;
            }

            PcscError error;
            fixed (ScardReaderState* states = native)
            {
                error = PcscLite.ToError(PcscLite.SCardGetStatusChange(_handle, milliseconds, states, (nuint)native.Length));
            }

            if (error == PcscError.Success)
            {
                for (var i = 0; i < readers.Count; i++)
                {
                    readers[i].EventState = (PcscReaderStates)(uint)native[i].dwEventState;
                    var atrLength = (int)Math.Min(native[i].cbAtr, (nuint)PcscLite.MaxAtrSize);
                    fixed (byte* atr = native[i].rgbAtr)
                    {
                        readers[i].Atr = new ReadOnlySpan<byte>(atr, atrLength).ToArray();
                    }
                }
            }

            return error;
        }
        finally
        {
            foreach (var name in names)
            {
                Marshal.FreeCoTaskMem(name);
            }
        }
    }

    /// <summary><c>SCardCancel</c>: ends a <see cref="GetStatusChange"/> blocked on this context (any thread).</summary>
    public PcscError Cancel() => PcscLite.ToError(PcscLite.SCardCancel(_handle));

    /// <summary>
    /// <c>SCardConnect</c>. Typical failures: <see cref="PcscError.NoSmartcard"/> / <see cref="PcscError.RemovedCard"/>
    /// (no card), <see cref="PcscError.SharingViolation"/> (held by someone else), <see cref="PcscError.UnknownReader"/>.
    /// The card keeps this context alive until it is disposed.
    /// </summary>
    public PcscResult<PcscCard> Connect(string readerName, PcscShareMode shareMode, PcscProtocols preferredProtocols)
    {
        ArgumentException.ThrowIfNullOrEmpty(readerName);
        var error = PcscLite.ToError(PcscLite.SCardConnect(
            _handle, readerName, (nuint)(uint)shareMode, (nuint)(uint)preferredProtocols, out var card, out var protocol));
        if (error != PcscError.Success)
        {
            return PcscResult<PcscCard>.Fail(error);
        }

        return PcscResult<PcscCard>.Success(new PcscCard(new PcscCardHandle(card, _handle), (PcscProtocols)(uint)protocol));
    }

    /// <summary>pcsc-lite's own text for a code (<c>pcsc_stringify_error</c>).</summary>
    public static unsafe string Describe(PcscError error)
    {
        try
        {
            return Marshal.PtrToStringUTF8((nint)PcscLite.PcscStringifyError((nint)(uint)error)) ?? error.ToNativeName();
        }
        catch (DllNotFoundException)
        {
            return error.ToNativeName();
        }
    }

    /// <summary><c>SCardReleaseContext</c> (once the last card of this context is disposed too).</summary>
    public void Dispose() => _handle.Dispose();

    PcscResult<IPcscCard> IPcscContext.Connect(string readerName, PcscShareMode shareMode, PcscProtocols preferredProtocols) =>
        Connect(readerName, shareMode, preferredProtocols).Map<IPcscCard>(card => card);

    /// <summary>Splits a NUL-separated, double-NUL-terminated UTF-8 multi-string.</summary>
    internal static IReadOnlyList<string> ParseMultiString(ReadOnlySpan<byte> multiString)
    {
        var names = new List<string>();
        while (!multiString.IsEmpty)
        {
            var end = multiString.IndexOf((byte)0);
            var name = end < 0 ? multiString : multiString[..end];
            if (name.IsEmpty)
            {
                break;
            }

            names.Add(Encoding.UTF8.GetString(name));
            multiString = end < 0 ? [] : multiString[(end + 1)..];
        }

        return names;
    }
}
