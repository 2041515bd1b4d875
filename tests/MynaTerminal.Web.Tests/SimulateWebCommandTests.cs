using System.Net;
using System.Net.Sockets;
using System.Text;
using MynaTerminal.Cli;

namespace MynaTerminal.Web.Tests;

/// <summary><c>mynaterm simulate --web</c>: the page comes up next to the simulator, no scripted patient plays.</summary>
public sealed class SimulateWebCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Simulate_with_web_prints_the_url_serves_the_page_and_plays_no_patients()
    {
        var folder = Directory.CreateTempSubdirectory("mynaterm-web-cli-");
        var webPort = FreePort();
        var settings = new SimulateCommand.SimulationSettings(
            "pin", null, false, true, false, TimeSpan.FromSeconds(10), folder, FreePort(), null, false, Web: true, WebPort: webPort);
        var output = new WatchedWriter($"Web page:      http://127.0.0.1:{webPort}/");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = SimulateCommand.RunAsync(settings, output, TextReader.Null, stop.Token);
        try
        {
            await output.Seen.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}/") };
            var page = await http.GetStringAsync("/", Ct);
            Assert.Contains("MynaTerminal simulator", page, StringComparison.Ordinal);
            await using var events = await Support.EventStream.OpenAsync(http);
            var idle = await events.WaitForAsync(s => s.Screen == Display.ScreenIds.Idle);
            Assert.Null(idle.Card);
        }
        finally
        {
            await stop.CancelAsync();
            var exitCode = await run.WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            Assert.Equal(0, exitCode);
        }

        // The built-in "pin" patient was not played, and the simulator did not wait for an MQTT subscriber.
        Assert.DoesNotContain(">>> patient", output.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Waiting up to", output.Text, StringComparison.Ordinal);
        folder.Delete(recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Collects the console output and completes <see cref="Seen"/> when a line starts with the expected text.</summary>
    private sealed class WatchedWriter(string expected) : TextWriter
    {
        private readonly StringBuilder _text = new();
        private readonly TaskCompletionSource _seen = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override Encoding Encoding => Encoding.UTF8;

        public Task Seen => _seen.Task;

        public string Text
        {
            get { lock (_text) { return _text.ToString(); } }
        }

        public override void Write(char value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_text)
            {
                _text.Append(value);
            }
        }

        public override void WriteLine(string? value)
        {
            Write(value + "\n");
            if (value?.StartsWith(expected, StringComparison.Ordinal) == true)
            {
                _seen.TrySetResult();
            }
        }
    }
}
