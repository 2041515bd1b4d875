using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MynaTerminal.Cameras.Imaging;
using MynaTerminal.Cameras.Mjpeg;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Cameras.Files;

/// <summary>
/// A camera that plays files, for development, demos and tests: <see cref="CameraOptions.Path"/> is one image
/// (.jpg, .jpeg, .png, .bmp; repeated for as long as the stream runs, like a still scene), a folder of such images
/// (ordinal file-name order) or an MJPEG video (.mjpeg / .mjpg raw MJPEG, .avi with MJPEG frames). Folders and
/// videos start again after the last frame when <see cref="CameraOptions.Loop"/> is true, else the stream ends.
/// Frames are delivered at <see cref="CameraOptions.FramesPerSecond"/> on the injected <see cref="TimeProvider"/>:
/// the first at once, then one per interval (a slow consumer gets the next frame at once, without a burst).
/// </summary>
/// <remarks>
/// Each frame is decoded once per stream and kept while the decoded frames fit in 128 MiB (about 140 VGA frames;
/// longer videos are decoded again on each pass). Every delivered frame is a fresh copy the caller may clear.
/// When the stream ends, the decoded frames and the video's compressed bytes are wiped. Frames that cannot be
/// decoded are skipped with a warning; when none can be, the stream fails with <see cref="CameraException"/>.
/// </remarks>
public sealed class FileFaceCamera : IFaceCamera, IDisposable
{
    /// <summary>Videos larger than this are refused (this source is for short clips).</summary>
    public const long MaxVideoBytes = 256L * 1024 * 1024;

    private readonly string _path;
    private readonly int _framesPerSecond;
    private readonly bool _loop;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private volatile bool _disposed;

    public FileFaceCamera(CameraOptions options, TimeProvider? timeProvider = null, ILogger<FileFaceCamera>? logger = null)
        : this(options, timeProvider ?? TimeProvider.System, (ILogger?)logger ?? NullLogger.Instance)
    {
    }

    internal FileFaceCamera(CameraOptions options, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            throw new ArgumentException("Camera:Path is required for the Files source.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.FramesPerSecond, 1);
        _path = options.Path;
        _framesPerSecond = options.FramesPerSecond;
        _loop = options.Loop;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The raw MJPEG and AVI extensions the Files source plays as videos.</summary>
    public static IReadOnlyList<string> VideoExtensions { get; } = [".mjpeg", ".mjpg", ".avi"];

    /// <summary>The decoded-frame cache limit (internal so a test can make it small).</summary>
    internal long DecodedCacheBytes { get; init; } = 128L * 1024 * 1024;

    public string Path => _path;

    /// <summary>True when the file's extension is a supported image or video.</summary>
    public static bool IsSupportedFile(string path) =>
        ImageFile.HasImageExtension(path) || VideoExtensions.Contains(System.IO.Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    public async IAsyncEnumerable<FaceImage> FramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var frames = FileFrameSet.Open(_path, DecodedCacheBytes, _logger);
        var interval = TimeSpan.FromSeconds(1.0 / _framesPerSecond);
        var start = _time.GetTimestamp();
        var due = TimeSpan.Zero;
        var index = 0;
        var deliveredThisPass = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (index == frames.Count)
            {
                if (deliveredThisPass == 0)
                {
                    throw new CameraException(CameraErrorKind.BadFrames, $"None of the frames of '{_path}' can be decoded (see the warnings logged for each).");
                }

                if (!_loop && !frames.IsStill)
                {
                    yield break;
                }

                index = 0;
                deliveredThisPass = 0;
            }

            var frame = frames.Frame(index++);
            if (frame is null)
            {
                continue;
            }

            deliveredThisPass++;
            try
            {
                var wait = due - _time.GetElapsedTime(start);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
                else if (wait < -interval)
                {
                    // The consumer fell behind: carry on from now instead of delivering a burst.
                    due = _time.GetElapsedTime(start);
                }
            }
            catch
            {
                frame.Clear();
                throw;
            }

            due += interval;
            yield return frame;
        }
    }

    /// <summary>Ends running streams at their next frame.</summary>
    public void Dispose() => _disposed = true;
}

/// <summary>The frames of one stream: loaders, the decoded cache, and wiping at the end.</summary>
internal sealed class FileFrameSet : IDisposable
{
    private readonly string[] _names;
    private readonly Func<int, FaceImage> _decode;
    private readonly FaceImage?[] _cache;
    private readonly bool[] _bad;
    private readonly long _cacheLimit;
    private readonly ILogger _logger;
    private readonly List<byte[]> _compressed;
    private readonly JpegCodec? _codec;
    private long _cachedBytes;

    private FileFrameSet(string[] names, Func<int, FaceImage> decode, bool isStill, long cacheLimit, ILogger logger, List<byte[]>? compressed, JpegCodec? codec)
    {
        _names = names;
        _decode = decode;
        IsStill = isStill;
        _cache = new FaceImage?[names.Length];
        _bad = new bool[names.Length];
        _cacheLimit = cacheLimit;
        _logger = logger;
        _compressed = compressed ?? [];
        _codec = codec;
    }

    public int Count => _names.Length;

    /// <summary>One image file: repeated whatever Loop says.</summary>
    public bool IsStill { get; }

    /// <summary>The decoded frames held now (for tests of the wiping).</summary>
    internal IEnumerable<FaceImage> CachedFrames => _cache.OfType<FaceImage>();

    /// <summary>The compressed video frames held now (for tests of the wiping).</summary>
    internal IReadOnlyList<byte[]> CompressedFrames => _compressed;

    public static FileFrameSet Open(string path, long cacheLimit, ILogger logger)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path)
                .Where(ImageFile.HasImageExtension)
                .Order(StringComparer.Ordinal)
                .ToArray();
            if (files.Length == 0)
            {
                throw new CameraException(CameraErrorKind.NotFound, $"Camera folder '{path}' has no images ({string.Join(", ", ImageFile.Extensions)}).");
            }

            logger.LogInformation("File camera: {Count} images from {Folder}", files.Length, path);
            return new FileFrameSet(files, i => ImageFile.Load(files[i]), isStill: false, cacheLimit, logger, null, null);
        }

        if (!File.Exists(path))
        {
            throw new CameraException(CameraErrorKind.NotFound, $"Camera file or folder '{path}' does not exist.");
        }

        if (ImageFile.HasImageExtension(path))
        {
            var set = new FileFrameSet([path], _ => ImageFile.Load(path), isStill: true, cacheLimit, logger, null, null);
            if (set.Frame(0) is not { } first)
            {
                set.Dispose();
                throw new CameraException(CameraErrorKind.BadFrames, $"Camera image '{path}' cannot be decoded (see the warning logged).");
            }

            first.Clear();
            return set;
        }

        if (!FileFaceCamera.VideoExtensions.Contains(System.IO.Path.GetExtension(path), StringComparer.OrdinalIgnoreCase))
        {
            throw new CameraException(
                CameraErrorKind.Unsupported,
                $"Camera file '{path}' is neither an image ({string.Join(", ", ImageFile.Extensions)}) nor an MJPEG video ({string.Join(", ", FileFaceCamera.VideoExtensions)}).");
        }

        return OpenVideo(path, cacheLimit, logger);
    }

    /// <summary>Frame <paramref name="index"/> as a fresh image, or null when it cannot be decoded.</summary>
    public FaceImage? Frame(int index)
    {
        if (_bad[index])
        {
            return null;
        }

        if (_cache[index] is { } cached)
        {
            return FaceImages.Copy(cached);
        }

        FaceImage decoded;
        try
        {
            decoded = _decode(index);
        }
        catch (ImageDecodeException ex)
        {
            _bad[index] = true;
            _logger.LogWarning("File camera: skipping {Frame}: {Reason}", _names[index], ex.Message);
            return null;
        }

        if (_cachedBytes + decoded.Bgr.LongLength > _cacheLimit)
        {
            return decoded;
        }

        _cachedBytes += decoded.Bgr.LongLength;
        _cache[index] = decoded;
        return FaceImages.Copy(decoded);
    }

    public void Dispose()
    {
        for (var i = 0; i < _cache.Length; i++)
        {
            _cache[i]?.Clear();
            _cache[i] = null;
        }

        foreach (var jpeg in _compressed)
        {
            Array.Clear(jpeg);
        }

        _compressed.Clear();
        _codec?.Dispose();
    }

    private static FileFrameSet OpenVideo(string path, long cacheLimit, ILogger logger)
    {
        List<byte[]> jpegs;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
            if (file.Length > FileFaceCamera.MaxVideoBytes)
            {
                throw new CameraException(
                    CameraErrorKind.Unsupported, $"Camera video '{path}' is {file.Length} bytes; at most {FileFaceCamera.MaxVideoBytes} are played (use a shorter clip).");
            }

            jpegs = MjpegFrameSplitter.ReadFrames(file).ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CameraException(CameraErrorKind.NotFound, $"Camera video '{path}' cannot be read: {ex.Message}", ex);
        }

        if (jpegs.Count == 0)
        {
            throw new CameraException(CameraErrorKind.BadFrames, $"Camera video '{path}' contains no JPEG frames (is it MJPEG? H.264 videos are not supported).");
        }

        logger.LogInformation("File camera: {Count} MJPEG frames from {Video}", jpegs.Count, path);
        var names = Enumerable.Range(0, jpegs.Count).Select(i => $"{path} frame {i}").ToArray();
        var codec = new JpegCodec { AcceptWarnings = true };
        return new FileFrameSet(names, i => codec.DecodeBgr(jpegs[i]), isStill: false, cacheLimit, logger, jpegs, codec);
    }
}
