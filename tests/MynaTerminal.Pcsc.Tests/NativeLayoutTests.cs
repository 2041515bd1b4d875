using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using MynaTerminal.Pcsc.Native;

namespace MynaTerminal.Pcsc.Tests;

/// <summary>The P/Invoke structs have pcsc-lite's 64-bit Linux layout (LP64: DWORD and LONG are 8 bytes).</summary>
public sealed class NativeLayoutTests
{
    private static void SkipUnless64Bit() => Assert.SkipUnless(Environment.Is64BitProcess, "The pinned sizes are those of 64-bit Linux.");

    [Fact]
    public void Reader_state_is_80_bytes_with_the_atr_at_offset_40()
    {
        SkipUnless64Bit();
        Assert.Equal(80, Marshal.SizeOf<ScardReaderState>());
        Assert.Equal(80, Unsafe.SizeOf<ScardReaderState>());
        Assert.Equal(ScardReaderState.Size64, Marshal.SizeOf<ScardReaderState>());

        Assert.Equal(0, (int)Marshal.OffsetOf<ScardReaderState>(nameof(ScardReaderState.szReader)));
        Assert.Equal(8, (int)Marshal.OffsetOf<ScardReaderState>(nameof(ScardReaderState.pvUserData)));
        Assert.Equal(16, (int)Marshal.OffsetOf<ScardReaderState>(nameof(ScardReaderState.dwCurrentState)));
        Assert.Equal(24, (int)Marshal.OffsetOf<ScardReaderState>(nameof(ScardReaderState.dwEventState)));
        Assert.Equal(32, (int)Marshal.OffsetOf<ScardReaderState>(nameof(ScardReaderState.cbAtr)));
        Assert.Equal(40, (int)Marshal.OffsetOf<ScardReaderState>(nameof(ScardReaderState.rgbAtr)));
    }

    [Fact]
    public unsafe void Reader_state_atr_holds_33_bytes()
    {
        var state = default(ScardReaderState);
        var start = (byte*)&state;
        Assert.Equal(33, PcscLite.MaxAtrSize);
        Assert.True(40 + PcscLite.MaxAtrSize <= sizeof(ScardReaderState));
        Assert.Equal(40, (int)(state.rgbAtr - start));
    }

    [Fact]
    public void Io_request_is_16_bytes()
    {
        SkipUnless64Bit();
        Assert.Equal(16, Marshal.SizeOf<ScardIoRequest>());
        Assert.Equal(ScardIoRequest.Size64, Unsafe.SizeOf<ScardIoRequest>());
        Assert.Equal(0, (int)Marshal.OffsetOf<ScardIoRequest>(nameof(ScardIoRequest.dwProtocol)));
        Assert.Equal(8, (int)Marshal.OffsetOf<ScardIoRequest>(nameof(ScardIoRequest.cbPciLength)));
    }

    [Theory]
    [InlineData(PcscProtocols.T0, 1u)]
    [InlineData(PcscProtocols.T1, 2u)]
    public void Pci_is_built_as_a_value_with_its_own_size(PcscProtocols protocol, uint native)
    {
        var pci = ScardIoRequest.For(protocol);
        Assert.Equal((nuint)native, pci.dwProtocol);
        Assert.Equal((nuint)Marshal.SizeOf<ScardIoRequest>(), pci.cbPciLength);
    }

    [Fact]
    public void Dword_and_long_are_pointer_sized()
    {
        SkipUnless64Bit();
        Assert.Equal(8, sizeof(long));
        Assert.Equal(8, IntPtr.Size);
        Assert.Equal(8, UIntPtr.Size);
    }

    [Fact]
    public void Infinite_is_the_32_bit_value_not_the_64_bit_maximum()
    {
        Assert.Equal(0xFFFF_FFFFu, PcscLite.Infinite);
        Assert.NotEqual((nuint)PcscLite.Infinite, nuint.MaxValue);
    }

    [Fact]
    public void Reader_multi_string_is_split_at_nul_and_ends_at_the_double_nul()
    {
        var multi = "Virtual PCD 00 00\0Virtual PCD 00 01\0カード 00 00\0\0"u8;
        Assert.Equal(["Virtual PCD 00 00", "Virtual PCD 00 01", "カード 00 00"], PcscContext.ParseMultiString(multi));
        Assert.Empty(PcscContext.ParseMultiString("\0"u8));
        Assert.Empty(PcscContext.ParseMultiString([]));
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 0xB0, 0x00, 0x00, 0x10 }, false)]
    [InlineData(new byte[] { 0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00 }, true)]
    [InlineData(new byte[] { 0x00, 0xA4, 0x04, 0x0C, 0x02, 0x3F, 0x00 }, false)]
    public void Extended_length_commands_get_the_large_receive_buffer(byte[] command, bool extended) =>
        Assert.Equal(extended, PcscCard.IsExtendedLength(command));
}
