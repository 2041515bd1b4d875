using MynaTerminal.Panel.Input;
using MynaTerminal.Panel.Tests.Fakes;

namespace MynaTerminal.Panel.Tests;

public sealed class EvdevReaderTests
{
    [Fact]
    public void Parses_the_64_bit_input_event_layout()
    {
        // tv_sec 0x0102030405060708, tv_usec 999999, type EV_ABS, code ABS_MT_POSITION_X, value -2 — little-endian.
        byte[] record =
        [
            0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
            0x3F, 0x42, 0x0F, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x03, 0x00,
            0x35, 0x00,
            0xFE, 0xFF, 0xFF, 0xFF,
        ];

        Assert.Equal(new InputEvent(0x0102030405060708, 999_999, 3, 0x35, -2), EvdevReader.Parse(record));
        Assert.Throws<ArgumentException>(() => EvdevReader.Parse(record.AsSpan(0, 23)));
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(24)]
    [InlineData(7)]
    [InlineData(1)]
    public async Task Reassembles_records_across_reads(int maxRead)
    {
        var bytes = Ev.Concat(Ev.Record(1, 79, 1, 10, 1), Ev.Record(0, 0, 0, 10, 2), Ev.Record(1, 79, 2, 11, 3), Ev.Record(1, 79, 0, 12, 4));
        var stream = new ScriptedStream { MaxRead = maxRead };
        stream.Send(bytes[..30]);
        stream.Send(bytes[30..]);
        stream.End();

        var events = new List<InputEvent>();
        await foreach (var e in new EvdevReader(stream).ReadAllAsync(TestContext.Current.CancellationToken))
        {
            events.Add(e);
        }

        Assert.Equal(
            [new InputEvent(10, 1, 1, 79, 1), new InputEvent(10, 2, 0, 0, 0), new InputEvent(11, 3, 1, 79, 2), new InputEvent(12, 4, 1, 79, 0)],
            events);
    }

    [Fact]
    public async Task A_stream_ending_inside_a_record_is_an_error()
    {
        var stream = new ScriptedStream();
        stream.Send(Ev.Concat(Ev.Record(1, 2, 1), Ev.Record(1, 2, 0)[..10]));
        stream.End();
        var seen = 0;

        await Assert.ThrowsAsync<EndOfStreamException>(async () =>
        {
            await foreach (var _ in new EvdevReader(stream).ReadAllAsync(TestContext.Current.CancellationToken))
            {
                seen++;
            }
        });
        Assert.Equal(1, seen);
    }

    [Fact]
    public async Task Reads_from_a_file_like_a_recorded_device()
    {
        using var folder = new TempFolder();
        var path = folder.File("event-capture");
        await File.WriteAllBytesAsync(path, Ev.Concat(Enumerable.Range(0, 100).Select(i => Ev.Record(3, 0, i)).ToArray()), TestContext.Current.CancellationToken);
        await using var file = File.OpenRead(path);

        var values = new List<int>();
        await foreach (var e in new EvdevReader(file).ReadAllAsync(TestContext.Current.CancellationToken))
        {
            values.Add(e.Value);
        }

        Assert.Equal(Enumerable.Range(0, 100), values);
    }

    [Fact]
    public void The_real_device_code_reports_a_missing_node()
    {
        // No /dev/input on this machine; the libc path must still give the clear message.
        var error = Assert.Throws<PanelDeviceException>(() => LinuxEvdevDevice.Opener.Open("/nonexistent/input/event9"));
        Assert.StartsWith("No input device at /nonexistent/input/event9", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.ErrorNumber);
    }

    [Fact]
    public async Task The_real_device_code_reads_a_fifo_and_stops_on_cancellation()
    {
        using var folder = new TempFolder();
        var fifo = folder.File("fifo");
        Assert.Equal(0, Mkfifo(fifo, 0x180));

        using var device = LinuxEvdevDevice.Opener.Open(fifo);
        Assert.False(device.TryGetAbsoluteRange(EvdevCodes.ABS_X, out _, out _)); // not an evdev node: no ranges
        await using (var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write))
        {
            await writer.WriteAsync(Ev.Key(EvdevCodes.KEY_KP5, 1), TestContext.Current.CancellationToken);
            await writer.FlushAsync(TestContext.Current.CancellationToken);

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            await using var events = new EvdevReader(device.Events).ReadAllAsync(cts.Token).GetAsyncEnumerator(cts.Token);
            Assert.True(await events.MoveNextAsync());
            Assert.Equal((EvdevCodes.EV_KEY, EvdevCodes.KEY_KP5, 1), (events.Current.Type, events.Current.Code, events.Current.Value));
            Assert.True(await events.MoveNextAsync());
            Assert.Equal(EvdevCodes.EV_SYN, events.Current.Type);

            // Nothing more comes: the read waits in poll() until it is cancelled.
            var next = events.MoveNextAsync().AsTask();
            await cts.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
#pragma warning disable SYSLIB1054 // a test helper; LibraryImport would need a partial class
    private static extern int Mkfifo(string path, uint mode);
#pragma warning restore SYSLIB1054
}
