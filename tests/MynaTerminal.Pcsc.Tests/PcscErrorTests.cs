using MynaTerminal.Pcsc.Native;

namespace MynaTerminal.Pcsc.Tests;

public sealed class PcscErrorTests
{
    [Theory]
    [InlineData(PcscError.Success, 0x0000_0000u, "SCARD_S_SUCCESS")]
    [InlineData(PcscError.Cancelled, 0x8010_0002u, "SCARD_E_CANCELLED")]
    [InlineData(PcscError.InvalidHandle, 0x8010_0003u, "SCARD_E_INVALID_HANDLE")]
    [InlineData(PcscError.InvalidParameter, 0x8010_0004u, "SCARD_E_INVALID_PARAMETER")]
    [InlineData(PcscError.InsufficientBuffer, 0x8010_0008u, "SCARD_E_INSUFFICIENT_BUFFER")]
    [InlineData(PcscError.UnknownReader, 0x8010_0009u, "SCARD_E_UNKNOWN_READER")]
    [InlineData(PcscError.Timeout, 0x8010_000Au, "SCARD_E_TIMEOUT")]
    [InlineData(PcscError.SharingViolation, 0x8010_000Bu, "SCARD_E_SHARING_VIOLATION")]
    [InlineData(PcscError.NoSmartcard, 0x8010_000Cu, "SCARD_E_NO_SMARTCARD")]
    [InlineData(PcscError.ProtocolMismatch, 0x8010_000Fu, "SCARD_E_PROTO_MISMATCH")]
    [InlineData(PcscError.NotTransacted, 0x8010_0016u, "SCARD_E_NOT_TRANSACTED")]
    [InlineData(PcscError.ReaderUnavailable, 0x8010_0017u, "SCARD_E_READER_UNAVAILABLE")]
    [InlineData(PcscError.NoService, 0x8010_001Du, "SCARD_E_NO_SERVICE")]
    [InlineData(PcscError.ServiceStopped, 0x8010_001Eu, "SCARD_E_SERVICE_STOPPED")]
    [InlineData(PcscError.NoReadersAvailable, 0x8010_002Eu, "SCARD_E_NO_READERS_AVAILABLE")]
    [InlineData(PcscError.UnresponsiveCard, 0x8010_0066u, "SCARD_W_UNRESPONSIVE_CARD")]
    [InlineData(PcscError.UnpoweredCard, 0x8010_0067u, "SCARD_W_UNPOWERED_CARD")]
    [InlineData(PcscError.ResetCard, 0x8010_0068u, "SCARD_W_RESET_CARD")]
    [InlineData(PcscError.RemovedCard, 0x8010_0069u, "SCARD_W_REMOVED_CARD")]
    public void Codes_have_pcsc_lite_values_and_names(PcscError error, uint value, string name)
    {
        Assert.Equal(value, (uint)error);
        Assert.Equal(name, error.ToNativeName());
    }

    [Fact]
    public void A_64_bit_long_return_code_arrives_positive_and_is_narrowed_unsigned()
    {
        // On LP64 the LONG 0x8010000A is the positive 64-bit number 0x000000008010000A.
        var returned = unchecked((nint)0x0000_0000_8010_000AL);
        Assert.True(returned > 0);
        Assert.Equal(PcscError.Timeout, PcscLite.ToError(returned));
        Assert.Equal(PcscError.RemovedCard, PcscLite.ToError(unchecked((nint)0x8010_0069L)));
        Assert.Equal(PcscError.Success, PcscLite.ToError(0));
    }

    [Fact]
    public void Unknown_codes_print_as_hex()
    {
        Assert.Equal("0x80109999", ((PcscError)0x8010_9999).ToNativeName());
    }

    [Fact]
    public void Every_named_code_is_distinct_and_named()
    {
        var values = Enum.GetValues<PcscError>();
        Assert.Equal(values.Length, values.Distinct().Count());
        Assert.All(values, value => Assert.StartsWith("SCARD_", value.ToNativeName()));
    }

    /// <summary>Codes pcsclite.h defines for Windows compatibility; pcsc-lite never returns them and has no text for them.</summary>
    private static readonly PcscError[] HeaderOnly =
    [
        PcscError.Shutdown, PcscError.IccInstallation, PcscError.IccCreateOrder, PcscError.DirectoryNotFound,
        PcscError.FileNotFound, PcscError.NoDirectory, PcscError.NoFile, PcscError.NoAccess, PcscError.WriteTooMany,
        PcscError.BadSeek, PcscError.InvalidChv, PcscError.UnknownResourceManager, PcscError.NoSuchCertificate,
        PcscError.CertificateUnavailable, PcscError.CommunicationDataLost, PcscError.NoKeyContainer,
        PcscError.ServerTooBusy, PcscError.WrongChv, PcscError.ChvBlocked, PcscError.EndOfFile,
        PcscError.CancelledByUser, PcscError.CardNotAuthenticated,
    ];

    [Fact]
    public void Every_code_pcsc_lite_returns_is_known_to_the_installed_libpcsclite()
    {
        Assert.SkipUnless(System.Runtime.InteropServices.NativeLibrary.TryLoad(PcscLite.LibraryName, out var library), "libpcsclite.so.1 is not installed.");
        System.Runtime.InteropServices.NativeLibrary.Free(library);

        // pcsc_stringify_error answers "Unknown error: 0x…" for values it does not define.
        var unknown = PcscContext.Describe((PcscError)0x8010_9999);
        Assert.Contains("80109999", unknown, StringComparison.OrdinalIgnoreCase);
        Assert.All(Enum.GetValues<PcscError>(), value =>
        {
            var text = PcscContext.Describe(value);
            var isUnknown = string.Equals(text, unknown.Replace("80109999", $"{(uint)value:X8}", StringComparison.OrdinalIgnoreCase), StringComparison.OrdinalIgnoreCase);
            Assert.True(isUnknown == HeaderOnly.Contains(value), $"{value.ToNativeName()} (0x{(uint)value:X8}): {text}");
        });
        Assert.Equal("Service not available.", PcscContext.Describe(PcscError.NoService));
    }

    [Fact]
    public void Only_the_convenience_layer_throws()
    {
        PcscResult<int> failed = PcscResult<int>.Fail(PcscError.NoService);
        Assert.False(failed.IsOk);
        Assert.Equal(PcscError.NoService, failed.ErrorCode);
        Assert.False(failed.TryGetValue(out _));
        var thrown = Assert.Throws<PcscException>(() => failed.GetValueOrThrow());
        Assert.Equal(PcscError.NoService, thrown.Error);
        Assert.Contains("SCARD_E_NO_SERVICE", thrown.Message);
        Assert.Throws<PcscException>(() => PcscError.SharingViolation.ThrowIfError());
        PcscError.Success.ThrowIfError();

        var ok = PcscResult<int>.Success(41).Map(value => value + 1);
        Assert.Equal(42, ok.GetValueOrThrow());
        Assert.Equal(PcscError.Success, ok.ErrorCode);
        Assert.Equal(PcscError.Timeout, PcscResult<int>.Fail(PcscError.Timeout).Map(value => value.ToString()).ErrorCode);
    }
}
