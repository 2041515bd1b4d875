using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace MynaTerminal.Pcsc.Tests.Integration;

/// <summary>
/// A tiny test-only virtual ICC for vsmartcard's vpcd. Connecting = inserting the card, closing = removing it.
/// Wire protocol, both directions: 2-byte big-endian length, then the payload. From vpcd, a 1-byte payload is a
/// control code (0x00 power off, 0x01 power on, 0x02 reset, 0x04 get ATR — only 0x04 is answered); anything
/// longer is a C-APDU, answered with <see cref="Responder"/>. pcscd asks for the ATR about every 400 ms.
/// TCP_QUICKACK is set again after every receive: Debian's vpcd writes length and payload in two segments
/// with Nagle on, so without it every APDU waits for a delayed ACK (~44 ms).
/// </summary>
internal sealed class VirtualCardClient : IAsyncDisposable
{
    /// <summary>PC/SC-part-3 style contactless ATR without historical bytes; offers T=0 and T=1, valid TCK.</summary>
    public static readonly byte[] DefaultAtr = [0x3B, 0x80, 0x80, 0x01, 0x01];

    public const byte PowerOff = 0x00;
    public const byte PowerOn = 0x01;
    public const byte Reset = 0x02;
    public const byte GetAtr = 0x04;

    private const int IpProtoTcp = 6;
    private const int TcpQuickAck = 12;

    private readonly Socket _socket;
    private readonly Func<byte[], byte[]> _responder;
    private readonly Channel<byte> _controls = Channel.CreateUnbounded<byte>();
    private readonly Lock _gate = new();
    private readonly List<string> _traffic = [];
    private readonly Task _loop;
    private int _apdus;

    private VirtualCardClient(Socket socket, Func<byte[], byte[]> responder)
    {
        _socket = socket;
        _responder = responder;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>C-APDUs answered so far.</summary>
    public int ApduCount => Volatile.Read(ref _apdus);

    /// <summary>Answers with the command's data field followed by 90 00 (a data-less command gets 90 00).</summary>
    public static byte[] Echo(byte[] command)
    {
        if (command.Length > 5 && command[4] != 0 && command.Length >= 5 + command[4])
        {
            return [.. command.AsSpan(5, command[4]), 0x90, 0x00];
        }

        return [0x90, 0x00];
    }

    /// <summary>Inserts the card: connects to vpcd on <paramref name="port"/> (retrying while vpcd is not listening yet).</summary>
    public static async Task<VirtualCardClient> InsertAsync(int port, CancellationToken cancellationToken, Func<byte[], byte[]>? responder = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), limit.Token);
                return new VirtualCardClient(socket, responder ?? Echo);
            }
            catch (SocketException) when (!limit.IsCancellationRequested)
            {
                socket.Dispose();
                await Task.Delay(50, limit.Token);
            }
        }
    }

    /// <summary>How many messages vpcd sent so far (a mark for <see cref="TrafficSince"/>).</summary>
    public int TrafficCount
    {
        get { lock (_gate) { return _traffic.Count; } }
    }

    /// <summary>
    /// What vpcd sent after <paramref name="mark"/>, in order: control codes as <c>"power-off"</c>, <c>"power-on"</c>,
    /// <c>"reset"</c>, <c>"get-atr"</c>, C-APDUs as <c>"apdu"</c>.
    /// </summary>
    public IReadOnlyList<string> TrafficSince(int mark)
    {
        lock (_gate)
        {
            return _traffic.Skip(mark).ToArray();
        }
    }

    /// <summary>Waits until vpcd sends the control code <paramref name="code"/> (codes seen before are skipped).</summary>
    public async Task WaitForControlAsync(byte code, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        while (await _controls.Reader.ReadAsync(limit.Token) != code)
        {
        }
    }

    /// <summary>Forgets the control codes received so far.</summary>
    public void ClearControls()
    {
        while (_controls.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Removes the card: closes the socket.</summary>
    public async Task RemoveAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // Already removed, or vpcd closed the connection first.
        }

        _socket.Close();
        await _loop;
    }

    public async ValueTask DisposeAsync() => await RemoveAsync();

    private async Task RunAsync()
    {
        var header = new byte[2];
        var payload = new byte[65536 + 16];
        try
        {
            while (true)
            {
                await ReceiveExactlyAsync(header);
                var length = BinaryPrimitives.ReadUInt16BigEndian(header);
                await ReceiveExactlyAsync(payload.AsMemory(0, length));
                Record(length == 1 ? payload[0] switch
                {
                    PowerOff => "power-off",
                    PowerOn => "power-on",
                    Reset => "reset",
                    GetAtr => "get-atr",
                    var other => $"control-{other:X2}",
                } : "apdu");
                if (length == 1)
                {
                    _controls.Writer.TryWrite(payload[0]);
                    if (payload[0] == GetAtr)
                    {
                        await SendAsync(DefaultAtr);
                    }

                    continue;
                }

                Interlocked.Increment(ref _apdus);
                await SendAsync(_responder(payload.AsSpan(0, length).ToArray()));
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException or EndOfStreamException)
        {
            // Removed by the test, or vpcd (pcscd) went away.
        }
        finally
        {
            _controls.Writer.TryComplete();
        }
    }

    private void Record(string message)
    {
        lock (_gate)
        {
            _traffic.Add(message);
        }
    }

    private async Task ReceiveExactlyAsync(Memory<byte> buffer)
    {
        var received = 0;
        while (received < buffer.Length)
        {
            var count = await _socket.ReceiveAsync(buffer[received..], SocketFlags.None);
            if (count == 0)
            {
                throw new EndOfStreamException();
            }

            received += count;
            // The kernel clears QUICKACK after it acks; set it again after every receive (Linux only).
            _socket.SetRawSocketOption(IpProtoTcp, TcpQuickAck, BitConverter.GetBytes(1));
        }
    }

    private async Task SendAsync(byte[] payload)
    {
        var frame = new byte[payload.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)payload.Length);
        payload.CopyTo(frame, 2);
        await _socket.SendAsync(frame, SocketFlags.None);
    }
}
