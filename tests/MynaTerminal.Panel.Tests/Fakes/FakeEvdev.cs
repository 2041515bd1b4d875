using System.Buffers.Binary;
using MynaTerminal.Panel.Input;

namespace MynaTerminal.Panel.Tests.Fakes;

/// <summary>An evdev node standing in: a scripted stream, optional axis ranges, grab recorded.</summary>
internal sealed class FakeEvdevDevice(ScriptedStream stream, Dictionary<ushort, (int Min, int Max)>? ranges = null) : IEvdevDevice
{
    public ScriptedStream Stream { get; } = stream;

    public bool Grabbed { get; private set; }

    public bool Disposed { get; private set; }

    public Stream Events => Stream;

    public bool TryGetAbsoluteRange(ushort axis, out int minimum, out int maximum)
    {
        if (ranges is not null && ranges.TryGetValue(axis, out var range))
        {
            (minimum, maximum) = range;
            return true;
        }

        minimum = maximum = 0;
        return false;
    }

    public void Grab() => Grabbed = true;

    public void Dispose() => Disposed = true;
}

/// <summary>Hands out the queued outcomes in order: a device, or an exception (missing, permission).</summary>
internal sealed class FakeEvdevOpener : IEvdevOpener
{
    private readonly Queue<object> _outcomes = new();
    private readonly object _lock = new();

    public List<string> Opened { get; } = [];

    /// <summary>Completes on each open attempt (set before the attempt).</summary>
    public TaskCompletionSource NextAttempt { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public FakeEvdevOpener Then(object outcome)
    {
        lock (_lock)
        {
            _outcomes.Enqueue(outcome);
        }

        return this;
    }

    public IEvdevDevice Open(string path)
    {
        object outcome;
        TaskCompletionSource attempt;
        lock (_lock)
        {
            Opened.Add(path);
            outcome = _outcomes.Count > 0 ? _outcomes.Dequeue() : new PanelDeviceException($"No input device at {path} (fake).");
            attempt = NextAttempt;
            NextAttempt = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        attempt.TrySetResult();
        return outcome switch
        {
            IEvdevDevice device => device,
            Exception e => throw e,
            _ => throw new InvalidOperationException(),
        };
    }
}

/// <summary>Builds struct input_event records byte by byte (64-bit layout), independently of the reader.</summary>
internal static class Ev
{
    public static byte[] Record(ushort type, ushort code, int value, long seconds = 1_700_000_000, long microseconds = 123_456)
    {
        var bytes = new byte[24];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, seconds);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), microseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(16), type);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(18), code);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(20), value);
        return bytes;
    }

    public static byte[] Concat(params byte[][] records) => records.SelectMany(r => r).ToArray();

    public static byte[] Syn() => Record(EvdevCodes.EV_SYN, EvdevCodes.SYN_REPORT, 0);

    public static byte[] Key(ushort code, int value) => Concat(Record(EvdevCodes.EV_KEY, code, value), Syn());

    /// <summary>A single-touch tap: down at (x, y), up at (x2, y2).</summary>
    public static byte[] Tap(int x, int y, int? x2 = null, int? y2 = null) => Concat(
        Record(EvdevCodes.EV_ABS, EvdevCodes.ABS_X, x), Record(EvdevCodes.EV_ABS, EvdevCodes.ABS_Y, y),
        Record(EvdevCodes.EV_KEY, EvdevCodes.BTN_TOUCH, 1), Syn(),
        Record(EvdevCodes.EV_ABS, EvdevCodes.ABS_X, x2 ?? x), Record(EvdevCodes.EV_ABS, EvdevCodes.ABS_Y, y2 ?? y), Syn(),
        Record(EvdevCodes.EV_KEY, EvdevCodes.BTN_TOUCH, 0), Syn());

    public static IEnumerable<InputEvent> Events(byte[] bytes)
    {
        for (var i = 0; i < bytes.Length; i += 24)
        {
            yield return new InputEvent(
                BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i)), BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i + 8)),
                BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 16)), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(i + 18)),
                BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i + 20)));
        }
    }
}
