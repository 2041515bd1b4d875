using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.V4l2;

/// <summary>
/// A USB (UVC) or other V4L2 camera on <see cref="CameraOptions.Device"/>. Each <see cref="FramesAsync"/> call opens
/// the device, negotiates the format (<see cref="CameraOptions.PixelFormat"/>: MJPEG preferred, else YUYV),
/// streams memory-mapped buffers and closes the device when the enumeration ends (cancelled, disposed or
/// failed); the driver's buffers are wiped before they are unmapped. One enumeration at a time. Device errors
/// are <see cref="CameraException"/>s that name the device; cancellation is an
/// <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class V4l2Camera : IFaceCamera, IDisposable
{
    private readonly CameraOptions _options;
    private readonly IV4l2DeviceOpener _opener;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private V4l2Stream? _active;
    private int _busy;

    public V4l2Camera(CameraOptions options, TimeProvider? timeProvider = null, ILogger<V4l2Camera>? logger = null)
        : this(options, LinuxV4l2Device.Opener, timeProvider ?? TimeProvider.System, logger ?? (ILogger)NullLogger.Instance)
    {
    }

    internal V4l2Camera(CameraOptions options, IV4l2DeviceOpener opener, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Clone();
        _opener = opener;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The device node, e.g. <c>/dev/video0</c>.</summary>
    public string Device => _options.Device;

    /// <summary>The format agreed with the driver for the stream running now; null when not streaming.</summary>
    public V4l2StreamFormat? ActiveFormat
    {
        get
        {
            lock (_gate)
            {
                return _active?.Format;
            }
        }
    }

    public async IAsyncEnumerable<FaceImage> FramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposing.IsCancellationRequested, this);
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            throw new InvalidOperationException($"Camera '{Device}' is already streaming; a V4L2 camera has one reader at a time.");
        }

        V4l2Stream? stream = null;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposing.Token);
            stream = await RunAsync(() => V4l2Stream.Start(_opener, _options, _time, _logger, linked.Token));
            lock (_gate)
            {
                _active = stream;
            }

            while (true)
            {
                var current = stream;
                yield return await RunAsync(() => current.NextFrame(linked.Token));
            }
        }
        finally
        {
            lock (_gate)
            {
                _active = null;
            }

            stream?.Dispose();
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Stops a running stream (its enumeration ends with <see cref="ObjectDisposedException"/>) and closes the device.</summary>
    public void Dispose()
    {
        if (_disposing.IsCancellationRequested)
        {
            return;
        }

        _disposing.Cancel();
        V4l2Stream? active;
        lock (_gate)
        {
            active = _active;
        }

        // Waits for a frame in progress (one poll slice at most), then wipes and releases the buffers, so no
        // frame data outlives Dispose even when the consumer never resumes its enumerator.
        active?.Dispose();
    }

    private async Task<T> RunAsync<T>(Func<T> blocking)
    {
        try
        {
            return await Task.Run(blocking, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (_disposing.IsCancellationRequested && ex is OperationCanceledException or ObjectDisposedException)
        {
            throw new ObjectDisposedException(nameof(V4l2Camera), $"Camera '{Device}' was disposed while streaming.");
        }
    }
}
