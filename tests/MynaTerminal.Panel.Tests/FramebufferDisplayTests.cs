using MynaTerminal.Panel.Framebuffer;
using MynaTerminal.Panel.Rendering;
using MynaTerminal.Panel.Tests.Fakes;
using SkiaSharp;

namespace MynaTerminal.Panel.Tests;

/// <summary>The framebuffer display against a fake device whose frame memory is a regular file.</summary>
public sealed class FramebufferDisplayTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Xrgb8888_with_padded_stride_and_panning_offsets_lands_at_the_right_bytes()
    {
        // 64 × 48 visible, panned to (4, 2) in the virtual screen, 320 bytes per line (more than (4 + 64) × 4 = 272).
        var (variable, fix) = FakeFramebufferDevice.Info(64, 48, 32, 320, (16, 8), (8, 8), (0, 8), xoffset: 4, yoffset: 2, extraRows: 3);
        var device = new FakeFramebufferDevice(_folder.File("fb"), variable, fix);
        using var display = Display(device);
        using var frame = TftDriverTests.Solid(64, 48, new SKColor(0x10, 0x20, 0x30));
        frame.SetPixel(0, 0, new SKColor(0x12, 0x34, 0x56));
        frame.SetPixel(63, 47, SKColors.Red);

        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);

        var memory = device.Memory();
        Assert.Equal(new byte[] { 0x56, 0x34, 0x12, 0xFF }, memory.AsSpan(Offset(0, 0), 4).ToArray());
        Assert.Equal(new byte[] { 0x00, 0x00, 0xFF, 0xFF }, memory.AsSpan(Offset(63, 47), 4).ToArray());
        Assert.Equal(new byte[] { 0x30, 0x20, 0x10, 0xFF }, memory.AsSpan(Offset(10, 10), 4).ToArray());
        // Nothing before the visible rows, nothing left of xoffset, nothing in the stride padding, nothing below.
        Assert.All(memory[..(2 * 320)], b => Assert.Equal(0, b));
        Assert.All(memory.AsSpan((2 + 10) * 320, 4 * 4).ToArray(), b => Assert.Equal(0, b));
        Assert.All(memory.AsSpan(((2 + 10) * 320) + (68 * 4), 320 - (68 * 4)).ToArray(), b => Assert.Equal(0, b));
        Assert.All(memory[((2 + 48) * 320)..], b => Assert.Equal(0, b));
        Assert.Equal([(2L * 320, 48 * 320)], device.Writes);

        static int Offset(int x, int y) => ((2 + y) * 320) + ((4 + x) * 4);
    }

    [Fact]
    public async Task Rgb565_and_rgb888_framebuffers_take_their_own_layout()
    {
        var (v16, f16) = FakeFramebufferDevice.Info(16, 16, 16, 32, (11, 5), (5, 6), (0, 5));
        var fb16 = new FakeFramebufferDevice(_folder.File("fb16"), v16, f16);
        using (var display = Display(fb16))
        {
            using var frame = TftDriverTests.Solid(16, 16, new SKColor(0x12, 0x34, 0x56));
            await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);
            Assert.Equal(new byte[] { 0xAA, 0x11 }, fb16.Memory().AsSpan((3 * 32) + (7 * 2), 2).ToArray());
        }

        var (v24, f24) = FakeFramebufferDevice.Info(16, 16, 24, 48, (16, 8), (8, 8), (0, 8));
        var fb24 = new FakeFramebufferDevice(_folder.File("fb24"), v24, f24);
        using (var display = Display(fb24))
        {
            using var frame = TftDriverTests.Solid(16, 16, new SKColor(0x12, 0x34, 0x56));
            await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);
            Assert.Equal(new byte[] { 0x56, 0x34, 0x12 }, fb24.Memory().AsSpan((1 * 48) + (2 * 3), 3).ToArray());
        }
    }

    [Fact]
    public async Task Only_changed_rows_are_written_again()
    {
        var (variable, fix) = FakeFramebufferDevice.Info(32, 20, 32, 128, (16, 8), (8, 8), (0, 8));
        var device = new FakeFramebufferDevice(_folder.File("fb"), variable, fix);
        using var display = Display(device);
        using var frame = TftDriverTests.Gradient(32, 20);
        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);
        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);
        frame.SetPixel(3, 5, SKColors.Black);
        frame.SetPixel(3, 6, SKColors.Black);
        await display.ShowBitmapAsync(frame, TestContext.Current.CancellationToken);

        Assert.Equal([(0L, 20 * 128), (5L * 128, 2 * 128)], device.Writes);
        Assert.Equal(new byte[] { 0, 0, 0, 0xFF }, device.Memory().AsSpan((6 * 128) + 12, 4).ToArray());
    }

    [Fact]
    public async Task A_screen_is_drawn_at_the_reported_size_and_published()
    {
        var (variable, fix) = FakeFramebufferDevice.Info(480, 320, 16, 960, (11, 5), (5, 6), (0, 5));
        var device = new FakeFramebufferDevice(_folder.File("fb"), variable, fix);
        var current = new CurrentScreen();
        using var display = new FramebufferDisplay(new FramebufferOptions(), current: current, opener: new FakeFramebufferOpener(_ => (0, device)));

        await display.ShowAsync(TestScreens.Pin(), TestContext.Current.CancellationToken);

        Assert.Equal(new FramebufferGeometry(string.Empty, 480, 320, 0, 0, 960, PackedPixelFormat.Rgb565), display.Geometry);
        Assert.Equal((480, 320), current.Size);
        Assert.Equal(15, current.Buttons.Count);
        Assert.Contains(device.Memory(), b => b != 0);
    }

    [Theory]
    [InlineData(2, "No framebuffer at /dev/fb7")]
    [InlineData(13, "add the service user to the 'video' group")]
    [InlineData(1, "add the service user to the 'video' group")]
    public void Open_errors_say_what_to_do(int errno, string expected)
    {
        using var display = new FramebufferDisplay(new FramebufferOptions { Device = "/dev/fb7" }, opener: new FakeFramebufferOpener(_ => (errno, null)));
        var error = Assert.Throws<PanelDeviceException>(display.Initialize);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal(errno, error.ErrorNumber);
    }

    [Fact]
    public void A_device_that_is_not_a_framebuffer_is_named_so_and_closed()
    {
        var (variable, fix) = FakeFramebufferDevice.Info(8, 8, 32, 32, (16, 8), (8, 8), (0, 8));
        var device = new FakeFramebufferDevice(_folder.File("fb"), variable, fix) { VariableError = 25 };
        using var display = Display(device);
        var error = Assert.Throws<PanelDeviceException>(display.Initialize);
        Assert.Contains("is not a framebuffer device", error.Message, StringComparison.Ordinal);
        Assert.True(device.Disposed);
    }

    [Fact]
    public void Unsupported_layouts_are_refused_with_the_reason()
    {
        var (v8, f8) = FakeFramebufferDevice.Info(16, 16, 8, 16, (5, 3), (2, 3), (0, 2));
        Assert.Contains("8 bits per pixel", Assert.Throws<PanelDeviceException>(() => FramebufferDisplay.Describe("/dev/fb0", v8, f8)).Message, StringComparison.Ordinal);

        var (v, f) = FakeFramebufferDevice.Info(16, 16, 32, 32, (16, 8), (8, 8), (0, 8));
        Assert.Contains("bytes per line", Assert.Throws<PanelDeviceException>(() => FramebufferDisplay.Describe("/dev/fb0", v, f)).Message, StringComparison.Ordinal);

        var (vp, fp) = FakeFramebufferDevice.Info(16, 16, 32, 64, (16, 8), (8, 8), (0, 8));
        fp.visual = 3; // FB_VISUAL_PSEUDOCOLOR
        Assert.Contains("not a packed true-colour", Assert.Throws<PanelDeviceException>(() => FramebufferDisplay.Describe("/dev/fb0", vp, fp)).Message, StringComparison.Ordinal);

        var (vs, fs) = FakeFramebufferDevice.Info(16, 16, 32, 64, (16, 8), (8, 8), (0, 8));
        fs.smem_len = 100;
        Assert.Contains("frame memory", Assert.Throws<PanelDeviceException>(() => FramebufferDisplay.Describe("/dev/fb0", vs, fs)).Message, StringComparison.Ordinal);

        var (vt, ft) = FakeFramebufferDevice.Info(8, 8, 32, 32, (16, 8), (8, 8), (0, 8));
        Assert.Contains("8 × 8 screen", Assert.Throws<PanelDeviceException>(() => FramebufferDisplay.Describe("/dev/fb0", vt, ft)).Message, StringComparison.Ordinal);

        var (vok, fok) = FakeFramebufferDevice.Info(16, 16, 32, 64, (16, 8), (8, 8), (0, 8));
        Assert.Equal(PackedPixelFormat.Xrgb8888, FramebufferDisplay.Describe("/dev/fb0", vok, fok).Format);
    }

    [Fact]
    public void The_real_device_code_reports_a_missing_node()
    {
        // No /dev/fb* on this machine (nor on CI); the libc path must still give the clear message.
        var path = _folder.File("fb-missing");
        using var display = new FramebufferDisplay(new FramebufferOptions { Device = path });
        var error = Assert.Throws<PanelDeviceException>(display.Initialize);
        Assert.Contains($"No framebuffer at {path}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_device_code_on_a_regular_file_says_it_is_not_a_framebuffer()
    {
        var path = _folder.File("not-fb");
        File.WriteAllBytes(path, new byte[4096]);
        using var display = new FramebufferDisplay(new FramebufferOptions { Device = path });
        var error = Assert.Throws<PanelDeviceException>(display.Initialize);
        Assert.Contains("is not a framebuffer device", error.Message, StringComparison.Ordinal);
        Assert.Equal(25, error.ErrorNumber); // ENOTTY from the FBIOGET_VSCREENINFO ioctl
    }

    [Fact]
    public void The_real_device_code_writes_with_pwrite_at_the_offset()
    {
        var path = _folder.File("memory");
        File.WriteAllBytes(path, new byte[64]);
        Assert.Equal(0, LinuxFramebufferDevice.Opener.Open(path, out var device));
        using (device)
        {
            Assert.Equal(0, device!.Write(10, [1, 2, 3]));
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0, 1, 2, 3, 0 }, bytes[9..14]);
    }

    private static FramebufferDisplay Display(FakeFramebufferDevice device) =>
        new(new FramebufferOptions(), opener: new FakeFramebufferOpener(_ => (0, device)));
}
