using System.Net;
using System.Net.Sockets;

namespace MynaTerminal.ClinicLink.Tests.Support;

internal static class FreePort
{
    /// <summary>A loopback TCP port the OS considers free right now.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
