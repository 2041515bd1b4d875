using MynaTerminal.Card.Transport;

namespace MynaTerminal.Pcsc.Tests;

public sealed class PcscMappingTests
{
    [Theory]
    [InlineData(PcscError.RemovedCard)]
    [InlineData(PcscError.NoSmartcard)]
    [InlineData(PcscError.ResetCard)]
    public void Transmit_errors_that_mean_the_card_is_gone_are_CardRemoved(PcscError error) =>
        Assert.IsType<TransportResult.CardRemoved>(PcscMapping.ToTransportResult(error));

    [Theory]
    [InlineData(PcscError.NotTransacted, "SCARD_E_NOT_TRANSACTED")]
    [InlineData(PcscError.NoService, "SCARD_E_NO_SERVICE")]
    [InlineData(PcscError.ServiceStopped, "SCARD_E_SERVICE_STOPPED")]
    [InlineData(PcscError.ReaderUnavailable, "SCARD_E_READER_UNAVAILABLE")]
    [InlineData(PcscError.InvalidHandle, "SCARD_E_INVALID_HANDLE")]
    [InlineData(PcscError.InsufficientBuffer, "SCARD_E_INSUFFICIENT_BUFFER")]
    [InlineData(PcscError.UnresponsiveCard, "SCARD_W_UNRESPONSIVE_CARD")]
    [InlineData(PcscError.ProtocolMismatch, "SCARD_E_PROTO_MISMATCH")]
    public void Other_transmit_errors_are_Failed_with_the_C_name(PcscError error, string detail)
    {
        var failed = Assert.IsType<TransportResult.Failed>(PcscMapping.ToTransportResult(error));
        Assert.Equal(detail, failed.Detail);
    }

    [Theory]
    [InlineData(PcscError.NoSmartcard)]
    [InlineData(PcscError.RemovedCard)]
    public void Connect_without_a_card_is_NoCard(PcscError error) =>
        Assert.IsType<ConnectResult.NoCard>(PcscMapping.ToConnectResult(error));

    [Fact]
    public void Connect_sharing_violation_is_Busy() =>
        Assert.IsType<ConnectResult.Busy>(PcscMapping.ToConnectResult(PcscError.SharingViolation));

    [Theory]
    [InlineData(PcscError.NoService, "SCARD_E_NO_SERVICE")]
    [InlineData(PcscError.UnknownReader, "SCARD_E_UNKNOWN_READER")]
    [InlineData(PcscError.ReaderUnavailable, "SCARD_E_READER_UNAVAILABLE")]
    [InlineData(PcscError.UnresponsiveCard, "SCARD_W_UNRESPONSIVE_CARD")]
    [InlineData(PcscError.ProtocolMismatch, "SCARD_E_PROTO_MISMATCH")]
    public void Other_connect_errors_are_Failed_with_the_C_name(PcscError error, string detail) =>
        Assert.Equal(detail, Assert.IsType<ConnectResult.Failed>(PcscMapping.ToConnectResult(error)).Detail);

    [Fact]
    public void Success_is_not_mapped_as_a_failure()
    {
        Assert.Throws<ArgumentException>(() => PcscMapping.ToTransportResult(PcscError.Success));
        Assert.Throws<ArgumentException>(() => PcscMapping.ToConnectResult(PcscError.Success));
    }

    [Theory]
    [InlineData(CardDisposition.Leave, PcscDisposition.Leave, 0u)]
    [InlineData(CardDisposition.Reset, PcscDisposition.Reset, 1u)]
    [InlineData(CardDisposition.Unpower, PcscDisposition.Unpower, 2u)]
    public void Dispositions_map_to_SCARD_LEAVE_RESET_UNPOWER(CardDisposition disposition, PcscDisposition expected, uint native)
    {
        Assert.Equal(expected, PcscMapping.ToPcsc(disposition));
        Assert.Equal(native, (uint)PcscMapping.ToPcsc(disposition));
    }

    [Theory]
    [InlineData(PcscError.NoService, true)]
    [InlineData(PcscError.ServiceStopped, true)]
    [InlineData(PcscError.InvalidHandle, true)]
    [InlineData(PcscError.Timeout, false)]
    [InlineData(PcscError.UnknownReader, false)]
    public void Service_loss_codes_make_the_monitor_start_over(PcscError error, bool lost) =>
        Assert.Equal(lost, error.IsServiceLost());
}
