using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using MynaTerminal.Card.Emulator;

namespace MynaTerminal.Card.Tests;

/// <summary>The vicc side of the vpcd protocol against a fake vpcd on loopback (no pcscd needed).</summary>
public sealed class VpcdClientTests
{
    private static CancellationToken Ct => ReaderHarness.Ct;

    [Fact]
    public async Task Answers_control_codes_and_APDUs_with_length_framing()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var card = VirtualCard.Create("normal");
        var client = VpcdClient.RunAsync(card, "127.0.0.1", port, Ct);

        using var vpcd = await listener.AcceptTcpClientAsync(Ct);
        var stream = vpcd.GetStream();
        await SendAsync(stream, [0x01]); // power on
        await SendAsync(stream, [0x04]); // get ATR
        Assert.Equal(card.Atr.ToArray(), await ReceiveAsync(stream));
        Assert.True(card.IsPowered);

        await SendAsync(stream, Hex.Bytes(Hex.SelectJpki));
        Assert.Equal("9000", Hex.Of(await ReceiveAsync(stream)));
        await SendAsync(stream, Hex.Bytes("00B0860020"));
        var token = await ReceiveAsync(stream);
        Assert.Equal("JPKIAPICCTOKEN2", System.Text.Encoding.ASCII.GetString(token, 0, 15));
        Assert.Equal("9000", Hex.Of(token.AsSpan(^2)));

        await SendAsync(stream, [0x04]); // presence poll between APDUs
        Assert.Equal(card.Atr.ToArray(), await ReceiveAsync(stream));
        await SendAsync(stream, [0x00]); // power off
        await SendAsync(stream, [0x01]);
        await SendAsync(stream, Hex.Bytes("00B0860020")); // nothing selected after the power cycle
        Assert.Equal("6A82", Hex.Of(await ReceiveAsync(stream)));

        vpcd.Close(); // pcscd gone: the client ends
        await client.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(3, card.CommandCount);
        Assert.False(card.IsPowered);
    }

    [Fact]
    public async Task Cancelling_removes_the_card_by_closing_the_socket()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var remove = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var client = VpcdClient.RunAsync(VirtualCard.Create("normal"), "127.0.0.1", port, remove.Token);
        using var vpcd = await listener.AcceptTcpClientAsync(Ct);

        await remove.CancelAsync();
        await client.WaitAsync(TimeSpan.FromSeconds(10), Ct); // completes normally
        Assert.True(await IsClosedAsync(vpcd)); // EOF (or a reset) = card removed
    }

    [Fact]
    public async Task A_pull_fault_closes_the_connection_after_the_Nth_answer()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var card = VirtualCard.Create("normal");
        card.Faults.PullAfterCommands = 1;
        var client = VpcdClient.RunAsync(card, "127.0.0.1", port, Ct);
        using var vpcd = await listener.AcceptTcpClientAsync(Ct);
        var stream = vpcd.GetStream();
        await SendAsync(stream, [0x01]);
        await SendAsync(stream, Hex.Bytes(Hex.SelectJpki));
        Assert.Equal("9000", Hex.Of(await ReceiveAsync(stream)));
        await client.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(0, await stream.ReadAsync(new byte[1], Ct));
    }

    [Fact]
    public async Task Nobody_listening_is_an_error()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await Assert.ThrowsAnyAsync<SocketException>(() => VpcdClient.RunAsync(VirtualCard.Create("normal"), "127.0.0.1", port, Ct));
    }

    private static async Task<bool> IsClosedAsync(TcpClient vpcd)
    {
        try
        {
            return await vpcd.GetStream().ReadAsync(new byte[1], Ct) == 0;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static async Task SendAsync(NetworkStream stream, byte[] payload)
    {
        // Like Debian's vpcd: the length and the payload in two separate writes.
        var header = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(header, (ushort)payload.Length);
        await stream.WriteAsync(header, Ct);
        await stream.WriteAsync(payload, Ct);
    }

    private static async Task<byte[]> ReceiveAsync(NetworkStream stream)
    {
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, Ct);
        var payload = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await stream.ReadExactlyAsync(payload, Ct);
        return payload;
    }
}
