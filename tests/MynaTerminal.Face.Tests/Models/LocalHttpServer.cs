using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MynaTerminal.Face.Tests.Models;

/// <summary>How the test server answers one path.</summary>
public enum ServeMode
{
    /// <summary>200 with Content-Length.</summary>
    Normal,

    /// <summary>200 without Content-Length; the body ends when the connection closes.</summary>
    NoContentLength,

    /// <summary>200 announcing the full length, but the connection closes after half the body.</summary>
    CutShort,

    /// <summary>200 announcing the full length; half the body, then nothing until the server is disposed.</summary>
    StallMidway,

    /// <summary>Reads the request and never answers.</summary>
    NoResponse,
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (a TcpListener on an ephemeral port, one request per connection) serving test
/// bytes by path, counting the requests per path. Unknown paths answer 404.
/// </summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, (byte[] Body, ServeMode Mode)> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _acceptLoop;

    private LocalHttpServer()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/models/");
        _acceptLoop = AcceptAsync();
    }

    /// <summary>Files are served under <c>BaseUri + file name</c>.</summary>
    public Uri BaseUri { get; }

    public static LocalHttpServer Start() => new();

    /// <summary>Serves <paramref name="body"/> as <c>BaseUri/fileName</c>.</summary>
    public void Serve(string fileName, byte[] body, ServeMode mode = ServeMode.Normal) =>
        _routes[BaseUri.AbsolutePath + Uri.EscapeDataString(fileName)] = (body, mode);

    public int RequestsFor(string fileName) =>
        _requests.TryGetValue(BaseUri.AbsolutePath + Uri.EscapeDataString(fileName), out var count) ? count : 0;

    /// <summary>A loopback URL where nothing listens (connection refused).</summary>
    public static Uri UnreachableBaseUri()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/models/");
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _connections.Add(HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var path = await ReadRequestPathAsync(stream).ConfigureAwait(false);
                if (path is null)
                {
                    return;
                }

                _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
                if (!_routes.TryGetValue(path, out var route))
                {
                    await WriteAsync(stream, Head("404 Not Found", 0)).ConfigureAwait(false);
                    return;
                }

                var (body, mode) = route;
                switch (mode)
                {
                    case ServeMode.Normal:
                        await WriteAsync(stream, Head("200 OK", body.Length)).ConfigureAwait(false);
                        await stream.WriteAsync(body, _stop.Token).ConfigureAwait(false);
                        break;
                    case ServeMode.NoContentLength:
                        await WriteAsync(stream, Head("200 OK", null)).ConfigureAwait(false);
                        await stream.WriteAsync(body, _stop.Token).ConfigureAwait(false);
                        break;
                    case ServeMode.CutShort:
                        await WriteAsync(stream, Head("200 OK", body.Length)).ConfigureAwait(false);
                        await stream.WriteAsync(body.AsMemory(0, body.Length / 2), _stop.Token).ConfigureAwait(false);
                        break;
                    case ServeMode.StallMidway:
                        await WriteAsync(stream, Head("200 OK", body.Length)).ConfigureAwait(false);
                        await stream.WriteAsync(body.AsMemory(0, body.Length / 2), _stop.Token).ConfigureAwait(false);
                        await stream.FlushAsync(_stop.Token).ConfigureAwait(false);
                        await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false);
                        break;
                    case ServeMode.NoResponse:
                        await Task.Delay(Timeout.Infinite, _stop.Token).ConfigureAwait(false);
                        break;
                }

                await stream.FlushAsync(_stop.Token).ConfigureAwait(false);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the server stops.
            }
        }

        async Task WriteAsync(NetworkStream stream, string head) =>
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token).ConfigureAwait(false);
    }

    private static string Head(string status, int? length) =>
        $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\n" +
        (length is { } n ? $"Content-Length: {n}\r\n" : string.Empty) +
        "Connection: close\r\n\r\n";

    private async Task<string?> ReadRequestPathAsync(NetworkStream stream)
    {
        var received = new List<byte>();
        var buffer = new byte[1024];
        while (received.Count < 16 * 1024)
        {
            var read = await stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }

            received.AddRange(buffer.AsSpan(0, read));
            var text = Encoding.ASCII.GetString([.. received]);
            var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                var requestLine = text[..text.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
                return requestLine.Length >= 2 ? requestLine[1] : null;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_connections).ConfigureAwait(false);
        _stop.Dispose();
    }
}
