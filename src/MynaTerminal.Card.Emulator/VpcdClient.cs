using System.Buffers.Binary;
using System.Net.Sockets;

namespace MynaTerminal.Card.Emulator;

/// <summary>
/// Serves a <see cref="VirtualCard"/> to a real pcscd through vsmartcard-vpcd ("virtual ICC" side). Wire protocol
/// (dependencies.md §2): both directions carry a 2-byte big-endian length then the payload; from vpcd a 1-byte payload
/// is a control code (00 power off, 01 power on, 02 reset, 04 get ATR — answered with the ATR), anything else is a
/// command APDU answered with the response APDU. Insertion = the TCP connect; removal = closing the socket.
/// TCP_QUICKACK is set after every receive (Debian's vpcd writes header and payload separately; without it every
/// APDU costs ~44 ms of delayed ACK).
/// </summary>
public static class VpcdClient
{
    /// <summary>vpcd's first reader listens here (the second on 35964).</summary>
    public const int DefaultPort = 0x8C7B;

    private const byte PowerOff = 0x00;
    private const byte PowerOn = 0x01;
    private const byte Reset = 0x02;
    private const byte GetAtr = 0x04;
    private const int IpProtoTcp = 6;
    private const int TcpQuickAck = 12;

    /// <summary>
    /// Connects to vpcd at <paramref name="host"/>:<paramref name="port"/> ("inserts" the card) and answers until
    /// cancelled (the card is removed and the task completes normally), vpcd closes the connection, or the card's
    /// <see cref="VirtualCardFaults.PullAfterCommands"/> fault pulls it. Connection errors are thrown.
    /// </summary>
    public static async Task RunAsync(VirtualCard card, string host, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(card);
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        using var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return; // Removed before it was ever inserted.
        }

        var socket = client.Client;
        var stream = client.GetStream();
        card.NoteInserted();
        var header = new byte[2];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await stream.ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false);
                QuickAck(socket);
                var length = BinaryPrimitives.ReadUInt16BigEndian(header);
                var payload = new byte[length];
                await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
                QuickAck(socket);

                if (length == 1)
                {
                    switch (payload[0])
                    {
                        case PowerOff:
                            card.PowerOff();
                            break;
                        case PowerOn:
                            card.PowerOn();
                            break;
                        case Reset:
                            card.WarmReset();
                            break;
                        case GetAtr:
                            await SendAsync(stream, card.Atr, cancellationToken).ConfigureAwait(false);
                            break;
                    }

                    continue;
                }

                if (card.PullDue)
                {
                    return; // pulled: closing the socket is the removal
                }

                if (card.Faults.ResponseDelay > TimeSpan.Zero)
                {
                    await Task.Delay(card.Faults.ResponseDelay, cancellationToken).ConfigureAwait(false);
                }

                var response = card.Process(payload);
                await SendAsync(stream, response, cancellationToken).ConfigureAwait(false);
                if (card.PullDue)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Removal requested.
        }
        catch (EndOfStreamException)
        {
            // vpcd closed the connection.
        }
        catch (IOException) when (!client.Connected)
        {
            // The connection broke.
        }
        finally
        {
            card.PowerOff();
        }
    }

    private static async Task SendAsync(NetworkStream stream, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var frame = new byte[payload.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)payload.Length);
        payload.Span.CopyTo(frame.AsSpan(2));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private static void QuickAck(Socket socket)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                socket.SetRawSocketOption(IpProtoTcp, TcpQuickAck, BitConverter.GetBytes(1));
            }
            catch (SocketException)
            {
                // Only a latency optimisation.
            }
        }
    }
}
