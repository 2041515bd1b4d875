using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Core.Devices;
using MynaTerminal.Panel.Native;
using MynaTerminal.Panel.Rendering;
using SkiaSharp;

namespace MynaTerminal.Panel.Framebuffer;

/// <summary>
/// The patient screen on a Linux framebuffer (/dev/fbN: HDMI or DSI panels through the KMS driver's fbdev
/// emulation, or an fbtft panel). The frame size, pixel layout (16, 24 or 32 bits with the reported bitfield offsets)
/// and line stride come from FBIOGET_VSCREENINFO / FBIOGET_FSCREENINFO; screens are drawn at that size and written
/// with pwrite, only the band of rows that changed when <see cref="FramebufferOptions.PartialUpdate"/> is on.
/// The device is opened on the first frame or by <see cref="Initialize"/>.
/// </summary>
public sealed class FramebufferDisplay : IDisplay, IDisposable
{
    private readonly FramebufferOptions _options;
    private readonly string? _fontPath;
    private readonly CurrentScreen? _current;
    private readonly IFramebufferOpener _opener;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IFramebufferDevice? _device;
    private FrameRenderer? _renderer;
    private byte[] _frame = [];
    private byte[] _previous = [];
    private bool _hasPrevious;
    private bool _disposed;

    /// <param name="options">The device node.</param>
    /// <param name="fontPath">A font file; null searches for a Japanese font.</param>
    /// <param name="current">Receives each shown screen with its button rectangles; null: nobody needs it.</param>
    /// <param name="opener">Null: libc on the device node.</param>
    public FramebufferDisplay(FramebufferOptions options, string? fontPath = null, CurrentScreen? current = null, IFramebufferOpener? opener = null, ILogger<FramebufferDisplay>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _fontPath = fontPath;
        _current = current;
        _opener = opener ?? LinuxFramebufferDevice.Opener;
        _logger = logger ?? (ILogger)NullLogger<FramebufferDisplay>.Instance;
    }

    /// <summary>The visible size, the pixel layout and the stride; set once the device is open.</summary>
    public FramebufferGeometry? Geometry { get; private set; }

    /// <summary>Opens the device and reads its geometry (once).</summary>
    /// <exception cref="PanelDeviceException">No such device, no permission (group <c>video</c>), not a framebuffer, or a pixel layout that is not supported.</exception>
    public void Initialize()
    {
        _gate.Wait();
        try
        {
            InitializeLocked();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async Task ShowAsync(Screen screen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(screen);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            InitializeLocked();
            var (bitmap, buttons) = _renderer!.Render(screen);
            Push(bitmap);
            _current?.Publish(screen, _renderer.Width, _renderer.Height, buttons);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Shows a ready Rgba8888 bitmap of the framebuffer's visible size (test patterns, self-test).</summary>
    public async Task ShowBitmapAsync(SKBitmap bitmap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bitmap);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            InitializeLocked();
            var g = Geometry!;
            if (bitmap.Width != g.Width || bitmap.Height != g.Height || bitmap.ColorType != SKColorType.Rgba8888)
            {
                throw new ArgumentException($"Expected a {g.Width} × {g.Height} Rgba8888 bitmap, got {bitmap.Width} × {bitmap.Height} {bitmap.ColorType}.", nameof(bitmap));
            }

            Push(bitmap);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the device and releases the fonts.</summary>
    public void Dispose()
    {
        _gate.Wait();
        try
        {
            _disposed = true;
            _device?.Dispose();
            _device = null;
            _renderer?.Dispose();
            _renderer = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Checks what the device reports and turns it into a geometry; throws with the reason when unusable.</summary>
    internal static FramebufferGeometry Describe(string path, in FbVarScreenInfo v, in FbFixScreenInfo f)
    {
        if (f.type != FbConstants.FB_TYPE_PACKED_PIXELS || f.visual is not (FbConstants.FB_VISUAL_TRUECOLOR or FbConstants.FB_VISUAL_DIRECTCOLOR))
        {
            throw new PanelDeviceException($"{path} ({f.Id}) is not a packed true-colour framebuffer (type {f.type}, visual {f.visual}).");
        }

        if (v.bits_per_pixel is not (16 or 24 or 32))
        {
            throw new PanelDeviceException($"{path} ({f.Id}) has {v.bits_per_pixel} bits per pixel; 16, 24 or 32 are supported (set another depth with fbset or the KMS mode).");
        }

        if (v.red.msb_right != 0 || v.green.msb_right != 0 || v.blue.msb_right != 0)
        {
            throw new PanelDeviceException($"{path} ({f.Id}) stores colour bits most-significant-bit right, which is not supported.");
        }

        if (v.xres < 16 || v.yres < 16 || v.xres > 8192 || v.yres > 8192)
        {
            throw new PanelDeviceException($"{path} ({f.Id}) reports a {v.xres} × {v.yres} screen.");
        }

        var bytesPerPixel = (int)v.bits_per_pixel / 8;
        if (f.line_length < (v.xoffset + v.xres) * bytesPerPixel)
        {
            throw new PanelDeviceException($"{path} ({f.Id}) reports {f.line_length} bytes per line, less than {v.xoffset + v.xres} pixels of {bytesPerPixel} bytes.");
        }

        if (f.smem_len != 0 && (long)(v.yoffset + v.yres) * f.line_length > f.smem_len)
        {
            throw new PanelDeviceException($"{path} ({f.Id}) has {f.smem_len} bytes of frame memory, less than its visible area needs.");
        }

        var format = new PackedPixelFormat((int)v.bits_per_pixel,
            new ChannelBits((int)v.red.offset, (int)v.red.length), new ChannelBits((int)v.green.offset, (int)v.green.length),
            new ChannelBits((int)v.blue.offset, (int)v.blue.length), new ChannelBits((int)v.transp.offset, (int)v.transp.length));
        return new FramebufferGeometry(f.Id, (int)v.xres, (int)v.yres, (int)v.xoffset, (int)v.yoffset, (int)f.line_length, format);
    }

    private void InitializeLocked()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_device is not null)
        {
            return;
        }

        var path = _options.Device;
        var errno = _opener.Open(path, out var device);
        if (errno != 0 || device is null)
        {
            throw PanelDeviceException.FromOpen(path, errno, "framebuffer", "video");
        }

        try
        {
            errno = device.GetVariableScreenInfo(out var variable);
            if (errno == 0)
            {
                errno = device.GetFixedScreenInfo(out var fix);
                if (errno == 0)
                {
                    var geometry = Describe(path, variable, fix);
                    _renderer = new FrameRenderer(geometry.Width, geometry.Height, _fontPath);
                    _frame = new byte[geometry.Height * geometry.LineLength];
                    _previous = new byte[_frame.Length];
                    _hasPrevious = false;
                    Geometry = geometry;
                    _device = device;
                    _logger.LogInformation("Framebuffer {Path} ({Id}): {Width} × {Height}, {Bits} bits per pixel, {Stride} bytes per line",
                        path, geometry.Id, geometry.Width, geometry.Height, geometry.Format.BitsPerPixel, geometry.LineLength);
                    return;
                }
            }

            throw new PanelDeviceException(errno is Libc.ENOTTY or Libc.EINVAL
                ? $"{path} is not a framebuffer device (FBIOGET ioctl: {Libc.Describe(errno)}); point Panel:Framebuffer:Device at /dev/fbN."
                : $"Cannot read the screen info of {path}: {Libc.Describe(errno)}.")
            {
                ErrorNumber = errno,
            };
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    private void Push(SKBitmap bitmap)
    {
        var g = Geometry!;
        var bytesPerPixel = g.Format.BytesPerPixel;
        var pixels = bitmap.GetPixelSpan();
        var rgbaRow = g.Width * 4;
        for (var y = 0; y < g.Height; y++)
        {
            PixelConverter.ToPacked(pixels.Slice(y * rgbaRow, rgbaRow), _frame.AsSpan((y * g.LineLength) + (g.XOffset * bytesPerPixel), g.Width * bytesPerPixel), g.Format);
        }

        var (first, last) = (0, g.Height - 1);
        if (_hasPrevious && _options.PartialUpdate)
        {
            (first, last) = FrameDiff.ChangedRows(_previous, _frame, g.LineLength);
            if (first < 0)
            {
                return;
            }
        }

        var offset = (long)(g.YOffset + first) * g.LineLength;
        var errno = _device!.Write(offset, _frame.AsSpan(first * g.LineLength, (last - first + 1) * g.LineLength));
        if (errno != 0)
        {
            _hasPrevious = false;
            throw new PanelDeviceException($"Writing to {_options.Device} failed: {Libc.Describe(errno)}.") { ErrorNumber = errno };
        }

        (_previous, _frame) = (_frame, _previous);
        _hasPrevious = true;
    }
}

/// <summary>What a framebuffer reported: driver id, visible size and offset, bytes per line, pixel layout.</summary>
public sealed record FramebufferGeometry(string Id, int Width, int Height, int XOffset, int YOffset, int LineLength, PackedPixelFormat Format);
