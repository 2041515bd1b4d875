using MynaTerminal.ClinicLink.Tools;

namespace MynaTerminal.ClinicLink.Tests.Support;

/// <summary>
/// A real mosquitto on a loopback port (anonymous, no persistence, <c>set_tcp_nodelay true</c>): the product's own
/// <see cref="PrivateMosquitto"/> (also used by <c>mynaterm mqtt bench</c>), plus the tests' skip rule. Killed on dispose.
/// </summary>
internal sealed class MosquittoBroker : IAsyncDisposable
{
    public const string ExecutablePath = PrivateMosquitto.DefaultExecutable;

    private readonly PrivateMosquitto _broker;

    private MosquittoBroker(int port) => _broker = PrivateMosquitto.CreatePlain(port);

    public int Port => _broker.Port;

    public string ConfigPath => _broker.ConfigPath;

    public string Output => _broker.Output;

    public static void SkipIfMissing()
    {
        if (!PrivateMosquitto.IsInstalled)
        {
            Assert.Skip($"mosquitto is not installed ({ExecutablePath} is missing); install the Debian package 'mosquitto' to run the tests against a real broker.");
        }
    }

    /// <summary>A broker for <paramref name="port"/>, not yet started.</summary>
    public static MosquittoBroker Create(int port) => new(port);

    /// <summary>Starts mosquitto and waits until it says it is running.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _broker.StartAsync(cancellationToken);

    /// <summary>Kills the broker (as a crash or power cut would) and waits for it to exit.</summary>
    public Task KillAsync() => _broker.KillAsync();

    public ValueTask DisposeAsync() => _broker.DisposeAsync();
}
