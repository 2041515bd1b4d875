using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MynaTerminal.Cameras.Files;
using MynaTerminal.Cameras.Rpicam;
using MynaTerminal.Cameras.V4l2;

namespace MynaTerminal.Cameras.Tests;

public sealed class CameraOptionsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Defaults_are_a_vga_usb_camera_at_15_fps()
    {
        var options = new CameraOptions();

        Assert.Equal(
            (CameraSource.V4l2, "/dev/video0", 640, 480, 15, CameraPixelFormat.Auto, 4, "rpicam-vid", (string?)null, true, TimeSpan.FromSeconds(5)),
            (options.Source, options.Device, options.Width, options.Height, options.FramesPerSecond, options.PixelFormat, options.BufferCount,
             options.RpicamPath, options.Path, options.Loop, options.FrameTimeout));
        CameraOptionsValidator.ThrowIfInvalid(options);
    }

    [Fact]
    public void The_camera_section_binds_and_validates_through_the_options_pipeline()
    {
        var image = _folder.Write("face.jpg", TestImages.Jpeg(TestImages.Solid(8, 8, Bgr.Grey)));
        var options = Resolve(new Dictionary<string, string?>
        {
            ["Camera:Source"] = "Files",
            ["Camera:Path"] = image,
            ["Camera:FramesPerSecond"] = "5",
            ["Camera:PixelFormat"] = "Yuyv",
            ["Camera:Loop"] = "false",
            ["Camera:FrameTimeout"] = "00:00:02",
        });

        Assert.Equal((CameraSource.Files, image, 5, CameraPixelFormat.Yuyv, false, TimeSpan.FromSeconds(2)),
            (options.Source, options.Path, options.FramesPerSecond, options.PixelFormat, options.Loop, options.FrameTimeout));
    }

    [Fact]
    public void A_bad_value_in_configuration_stops_with_the_key_named()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Resolve(new Dictionary<string, string?>
        {
            ["Camera:Source"] = "Files",
            ["Camera:Path"] = _folder.File("missing-folder"),
            ["Camera:Width"] = "99999",
        }));

        Assert.Contains(error.Failures, f => f.Contains("Width", StringComparison.Ordinal) && f.Contains("4096", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Camera:Path", StringComparison.Ordinal) && f.Contains("does not exist", StringComparison.Ordinal));
    }

    public static TheoryData<string, Action<CameraOptions>> InvalidOptions => new()
    {
        { "Camera:Path is required", o => o.Source = CameraSource.Files },
        { "is neither an image", o => (o.Source, o.Path) = (CameraSource.Files, "/etc/hostname") },
        { "Camera:Device must be an absolute path", o => o.Device = "video0" },
        { "Camera:Width must be even for YUYV", o => (o.PixelFormat, o.Width) = (CameraPixelFormat.Yuyv, 641) },
        { "must be even for rpicam-vid", o => (o.Source, o.Height) = (CameraSource.Rpicam, 481) },
        { "Camera:RpicamPath", o => (o.Source, o.RpicamPath) = (CameraSource.Rpicam, " ") },
        { "Camera:Source '7'", o => o.Source = (CameraSource)7 },
        { "Camera:PixelFormat '9'", o => o.PixelFormat = (CameraPixelFormat)9 },
        { "larger than 12 megapixels", o => (o.Width, o.Height) = (4096, 4096) },
        { "Camera:FrameTimeout must be more than 0", o => o.FrameTimeout = TimeSpan.Zero },
        { "at least two frame intervals", o => (o.FramesPerSecond, o.FrameTimeout) = (1, TimeSpan.FromSeconds(1)) },
        { "BufferCount", o => o.BufferCount = 1 },
        { "FramesPerSecond", o => o.FramesPerSecond = 0 },
        { "Device", o => o.Device = "" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_are_refused_with_a_clear_message(string expected, Action<CameraOptions> change)
    {
        var options = new CameraOptions();
        change(options);

        var error = Assert.Throws<OptionsValidationException>(() => CameraOptionsValidator.ThrowIfInvalid(options));

        Assert.Contains(error.Failures, f => f.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Files_accepts_an_existing_folder_image_or_video()
    {
        foreach (var path in new[] { _folder.Path, _folder.Write("a.png", [1]), _folder.Write("v.mjpg", [1]), _folder.Write("v.avi", [1]) })
        {
            var options = new CameraOptions { Source = CameraSource.Files, Path = path };
            Assert.True(new CameraOptionsValidator().Validate(null, options).Succeeded, path);
        }
    }

    [Fact]
    public void The_factory_builds_the_source_the_options_name()
    {
        var time = TimeProvider.System;
        var logs = NullLoggerFactory.Instance;
        var path = _folder.Write("face.png", TestImages.Png(TestImages.Solid(4, 4, Bgr.Red)));

        using var v4l2 = Assert.IsType<V4l2Camera>(CameraFactory.Create(new CameraOptions { Device = "/dev/video3" }, time, logs));
        using var rpicam = Assert.IsType<RpicamVidCamera>(CameraFactory.Create(new CameraOptions { Source = CameraSource.Rpicam, RpicamPath = "/opt/rpicam-vid" }, time, logs));
        using var files = Assert.IsType<FileFaceCamera>(CameraFactory.Create(new CameraOptions { Source = CameraSource.Files, Path = path }, time, logs));

        Assert.Equal("/dev/video3", v4l2.Device);
        Assert.Equal("/opt/rpicam-vid", rpicam.Executable);
        Assert.Equal(path, files.Path);
    }

    [Fact]
    public void The_factory_refuses_invalid_options()
    {
        var error = Assert.Throws<OptionsValidationException>(() =>
            CameraFactory.Create(new CameraOptions { Source = CameraSource.Files }, TimeProvider.System, NullLoggerFactory.Instance));

        Assert.Contains(error.Failures, f => f.Contains("Camera:Path is required", StringComparison.Ordinal));
    }

    [Fact]
    public void A_camera_keeps_the_options_it_was_given()
    {
        var options = new CameraOptions { Source = CameraSource.Rpicam };
        using var camera = new RpicamVidCamera(options);

        options.Width = 1920;

        Assert.Contains("640", camera.Arguments);
        Assert.DoesNotContain("1920", camera.Arguments);
    }

    private static CameraOptions Resolve(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddOptions<CameraOptions>().Bind(configuration.GetSection(CameraOptions.SectionName)).ValidateDataAnnotations();
        services.AddSingleton<IValidateOptions<CameraOptions>, CameraOptionsValidator>();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<CameraOptions>>().Value;
    }
}
