using System.Runtime.InteropServices;

namespace MynaTerminal.Pcsc.Native;

/// <summary>
/// P/Invoke declarations for pcsc-lite's <c>libpcsclite.so.1</c> (the versioned name: the unversioned
/// <c>libpcsclite.so</c> exists only with libpcsclite-dev). Linux only: on LP64 Linux <c>DWORD</c> is
/// <c>unsigned long</c> and <c>LONG</c> is <c>long</c>, both 8 bytes, so every DWORD crosses as <see cref="nuint"/>
/// and every LONG, SCARDCONTEXT and SCARDHANDLE as <see cref="nint"/> (4 bytes on 32-bit Linux, which the same
/// declarations also fit). macOS and Windows use 32-bit types and are not covered. pcsc-lite has no A/W
/// variants: strings are UTF-8.
/// </summary>
internal static unsafe partial class PcscLite
{
    /// <summary>The shared library, by its versioned soname.</summary>
    public const string LibraryName = "libpcsclite.so.1";

    /// <summary>pcsc-lite MAX_ATR_SIZE (Windows uses 36).</summary>
    public const int MaxAtrSize = 33;

    /// <summary>pcsc-lite MAX_READERNAME.</summary>
    public const int MaxReaderName = 128;

    /// <summary>INFINITE for <c>SCardGetStatusChange</c>: 0xFFFFFFFF, not <see cref="nuint.MaxValue"/> (pcsc-lite compares the 64-bit DWORD).</summary>
    public const uint Infinite = 0xFFFF_FFFF;

    /// <summary>The pseudo-reader whose state changes when a reader is plugged in or out.</summary>
    public const string PnpNotificationReader = @"\\?PnP?\Notification";

    /// <summary>Narrows a 64-bit LONG return code to its unsigned 32-bit value (0x8010000A arrives positive on LP64).</summary>
    public static PcscError ToError(nint returnCode) => unchecked((PcscError)(uint)returnCode);

    [LibraryImport(LibraryName)]
    public static partial nint SCardEstablishContext(nuint dwScope, nint pvReserved1, nint pvReserved2, out PcscContextHandle phContext);

    [LibraryImport(LibraryName)]
    public static partial nint SCardReleaseContext(nint hContext);

    [LibraryImport(LibraryName)]
    public static partial nint SCardIsValidContext(PcscContextHandle hContext);

    [LibraryImport(LibraryName)]
    public static partial nint SCardListReaders(PcscContextHandle hContext, byte* mszGroups, byte* mszReaders, ref nuint pcchReaders);

    [LibraryImport(LibraryName)]
    public static partial nint SCardGetStatusChange(PcscContextHandle hContext, nuint dwTimeout, ScardReaderState* rgReaderStates, nuint cReaders);

    [LibraryImport(LibraryName)]
    public static partial nint SCardCancel(PcscContextHandle hContext);

    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint SCardConnect(
        PcscContextHandle hContext, string szReader, nuint dwShareMode, nuint dwPreferredProtocols, out nint phCard, out nuint pdwActiveProtocol);

    [LibraryImport(LibraryName)]
    public static partial nint SCardReconnect(
        PcscCardHandle hCard, nuint dwShareMode, nuint dwPreferredProtocols, nuint dwInitialization, out nuint pdwActiveProtocol);

    [LibraryImport(LibraryName)]
    public static partial nint SCardDisconnect(nint hCard, nuint dwDisposition);

    [LibraryImport(LibraryName)]
    public static partial nint SCardBeginTransaction(PcscCardHandle hCard);

    [LibraryImport(LibraryName)]
    public static partial nint SCardEndTransaction(PcscCardHandle hCard, nuint dwDisposition);

    [LibraryImport(LibraryName)]
    public static partial nint SCardTransmit(
        PcscCardHandle hCard, ScardIoRequest* pioSendPci, byte* pbSendBuffer, nuint cbSendLength,
        ScardIoRequest* pioRecvPci, byte* pbRecvBuffer, ref nuint pcbRecvLength);

    [LibraryImport(LibraryName)]
    public static partial nint SCardStatus(
        PcscCardHandle hCard, byte* szReaderName, ref nuint pcchReaderLen, out nuint pdwState, out nuint pdwProtocol,
        byte* pbAtr, ref nuint pcbAtrLen);

    /// <summary><c>const char *pcsc_stringify_error(LONG)</c>: pcsc-lite's text for a code.</summary>
    [LibraryImport(LibraryName, EntryPoint = "pcsc_stringify_error")]
    public static partial byte* PcscStringifyError(nint pcscError);
}

/// <summary>
/// <c>SCARD_READERSTATE</c> of pcsc-lite. On 64-bit Linux: 5 × 8 bytes, then <c>rgbAtr[33]</c> at offset 40,
/// padded to <b>80</b> bytes. Sequential layout with <see cref="nint"/>/<see cref="nuint"/> fields gives exactly that
/// (and the 56-byte ILP32 layout on 32-bit Linux); the tests pin the 64-bit sizes and offsets.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct ScardReaderState
{
    /// <summary>Size on 64-bit Linux.</summary>
    public const int Size64 = 80;

    /// <summary>const char *szReader (UTF-8, owned by the caller for the duration of the call).</summary>
    public nint szReader;
    /// <summary>void *pvUserData.</summary>
    public nint pvUserData;
    /// <summary>DWORD dwCurrentState.</summary>
    public nuint dwCurrentState;
    /// <summary>DWORD dwEventState.</summary>
    public nuint dwEventState;
    /// <summary>DWORD cbAtr.</summary>
    public nuint cbAtr;
    /// <summary>unsigned char rgbAtr[MAX_ATR_SIZE].</summary>
    public fixed byte rgbAtr[PcscLite.MaxAtrSize];
}

/// <summary>
/// <c>SCARD_IO_REQUEST</c>: { DWORD dwProtocol; DWORD cbPciLength; } = <b>16</b> bytes on 64-bit Linux. Built as a
/// value (<see cref="For"/>) instead of importing the library's <c>g_rgSCardT0Pci</c>/<c>g_rgSCardT1Pci</c> symbols.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ScardIoRequest
{
    /// <summary>Size on 64-bit Linux.</summary>
    public const int Size64 = 16;

    /// <summary>DWORD dwProtocol.</summary>
    public nuint dwProtocol;
    /// <summary>DWORD cbPciLength: the size of this header.</summary>
    public nuint cbPciLength;

    /// <summary>The PCI for a protocol: what SCARD_PCI_T0 / SCARD_PCI_T1 point at.</summary>
    public static unsafe ScardIoRequest For(PcscProtocols protocol) =>
        new() { dwProtocol = (nuint)(uint)protocol, cbPciLength = (nuint)sizeof(ScardIoRequest) };
}
