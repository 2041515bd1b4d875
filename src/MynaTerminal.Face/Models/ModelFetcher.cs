using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography;

namespace MynaTerminal.Face.Models;

/// <summary>Where a fetch is for one model.</summary>
public enum ModelFetchStage
{
    /// <summary>The file in the folder already matches its pin; nothing was downloaded.</summary>
    AlreadyValid,

    /// <summary>Bytes are arriving (reported at the start, then at most every <see cref="ModelFetcherOptions.ProgressInterval"/>).</summary>
    Downloading,

    /// <summary>Downloaded, verified and moved into place.</summary>
    Completed,

    /// <summary>The download failed; <see cref="ModelFetchProgress.Error"/> says why. No partial file is left.</summary>
    Failed,
}

/// <summary>Progress of one model's download.</summary>
public sealed record ModelFetchProgress(ModelFile Model, ModelFetchStage Stage, long BytesReceived, long TotalBytes, TimeSpan Elapsed, string? Error = null)
{
    /// <summary>0..1.</summary>
    public double Fraction => TotalBytes > 0 ? Math.Clamp((double)BytesReceived / TotalBytes, 0, 1) : 0;

    /// <summary>Average rate since the download started (0 before the first second's bytes).</summary>
    public double BytesPerSecond => Elapsed > TimeSpan.Zero ? BytesReceived / Elapsed.TotalSeconds : 0;
}

/// <summary>What happened to one model.</summary>
public enum ModelFetchOutcome
{
    Downloaded,
    AlreadyValid,
    Failed,
}

/// <summary>The result for one model of <see cref="ModelFetcher.FetchAsync"/>.</summary>
public sealed record ModelFetchResult(ModelFile Model, string Path, ModelFetchOutcome Outcome, long BytesDownloaded, TimeSpan Elapsed, ModelFetchException? Error)
{
    public bool IsOk => Outcome != ModelFetchOutcome.Failed;
}

/// <summary>Settings of <see cref="ModelFetcher"/>.</summary>
public sealed class ModelFetcherOptions
{
    /// <summary>Where each model is downloaded from; default its pinned <see cref="ModelFile.Url"/>. Tests and local mirrors
    /// use <see cref="FromBaseUri"/>.</summary>
    public Func<ModelFile, Uri>? SourceOf { get; init; }

    /// <summary>Longest wait for the connection and the response headers.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for the next body bytes before the download counts as stalled.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Least time between two <see cref="ModelFetchStage.Downloading"/> reports of one file.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Models are fetched as <c>&lt;baseUri&gt;/&lt;file name&gt;</c> (a local mirror, a test server).</summary>
    public static Func<ModelFile, Uri> FromBaseUri(Uri baseUri)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        var root = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        return model => new Uri(root, Uri.EscapeDataString(model.FileName));
    }
}

/// <summary>
/// Downloads pinned models into a folder: skips files that already match; streams each download into
/// <c>&lt;file&gt;.part</c> while hashing it, rejects a wrong size or SHA-256 (deleting the part file), flushes it to disk
/// and renames it into place atomically, so the folder never holds a partial or unverified model under its real name.
/// </summary>
public sealed class ModelFetcher
{
    private const int BufferSize = 1 << 16;
    private readonly HttpClient _http;
    private readonly ModelFetcherOptions _options;

    /// <param name="http">The client (its own <see cref="HttpClient.Timeout"/> should be infinite or long: this class
    /// enforces <see cref="ModelFetcherOptions.ResponseTimeout"/> and <see cref="ModelFetcherOptions.StallTimeout"/>).</param>
    public ModelFetcher(HttpClient http, ModelFetcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _options = options ?? new ModelFetcherOptions();
    }

    /// <summary>
    /// Fetches each model into <paramref name="folder"/> (created when missing). A failure of one model does not stop
    /// the others; look at each result's <see cref="ModelFetchResult.Outcome"/>.
    /// </summary>
    /// <exception cref="ModelFetchException">The folder cannot be created (<see cref="ModelFetchFailure.Storage"/>).</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the part file of the model in flight is deleted.</exception>
    public async Task<IReadOnlyList<ModelFetchResult>> FetchAsync(
        IEnumerable<ModelFile> models, string folder, IProgress<ModelFetchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(models);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var list = models.ToList();
        folder = Path.GetFullPath(folder);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelFetchException(ModelFetchFailure.Storage, null, null,
                $"Cannot create the models folder '{folder}': {ex.Message}. Run as a user who may write there (the terminal's service user, or with sudo).", ex);
        }

        // The catalog check also refuses file names with a directory part (a ModelFile is a public record).
        var store = new ModelStore(folder, ModelCatalog.FromModels(list.DistinctBy(m => m.Id, StringComparer.OrdinalIgnoreCase)));
        var results = new List<ModelFetchResult>(list.Count);
        foreach (var model in list)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var check = store.Check(model);
            if (check.IsOk)
            {
                progress?.Report(new ModelFetchProgress(model, ModelFetchStage.AlreadyValid, model.Size, model.Size, TimeSpan.Zero));
                results.Add(new ModelFetchResult(model, check.Path, ModelFetchOutcome.AlreadyValid, 0, TimeSpan.Zero, null));
                continue;
            }

            var started = _options.TimeProvider.GetTimestamp();
            try
            {
                await DownloadAsync(model, check.Path, started, progress, cancellationToken).ConfigureAwait(false);
                var elapsed = _options.TimeProvider.GetElapsedTime(started);
                progress?.Report(new ModelFetchProgress(model, ModelFetchStage.Completed, model.Size, model.Size, elapsed));
                results.Add(new ModelFetchResult(model, check.Path, ModelFetchOutcome.Downloaded, model.Size, elapsed, null));
            }
            catch (ModelFetchException ex)
            {
                var elapsed = _options.TimeProvider.GetElapsedTime(started);
                progress?.Report(new ModelFetchProgress(model, ModelFetchStage.Failed, 0, model.Size, elapsed, ex.Message));
                results.Add(new ModelFetchResult(model, check.Path, ModelFetchOutcome.Failed, 0, elapsed, ex));
            }
        }

        return results;
    }

    private async Task DownloadAsync(ModelFile model, string target, long started, IProgress<ModelFetchProgress>? progress, CancellationToken cancellationToken)
    {
        var source = (_options.SourceOf ?? (m => m.Url))(model);
        var part = target + ".part";
        progress?.Report(new ModelFetchProgress(model, ModelFetchStage.Downloading, 0, model.Size, TimeSpan.Zero));

        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        watchdog.CancelAfter(_options.ResponseTimeout);
        HttpResponseMessage response;
        try
        {
            response = await _http.GetAsync(source, HttpCompletionOption.ResponseHeadersRead, watchdog.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw Unreachable(model, source, $"no answer within {Seconds(_options.ResponseTimeout)}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(model, source, Describe(ex), ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new ModelFetchException(ModelFetchFailure.HttpStatus, model, source,
                    $"Downloading face model '{model.Id}' from {source} failed: the server answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}. " +
                    "For a local mirror (--from), put the file there under its file name; for the pinned upstream URL, the file has moved " +
                    "upstream: report it (the pins are in src/MynaTerminal.Face/Models/models.json).");
            }

            if (response.Content.Headers.ContentLength is { } announced && announced != model.Size)
            {
                throw new ModelFetchException(ModelFetchFailure.WrongSize, model, source,
                    $"Refusing face model '{model.Id}' from {source}: the server announces {ModelStore.Bytes(announced)}, the pinned size is " +
                    $"{ModelStore.Bytes(model.Size)}{(announced < 1024 ? " (a Git LFS pointer or an error page?)" : string.Empty)}. Nothing was written.");
            }

            try
            {
                await ReceiveAsync(model, source, response, part, watchdog, started, progress, cancellationToken).ConfigureAwait(false);
                File.Move(part, target, overwrite: true);
            }
            catch (Exception ex)
            {
                TryDelete(part);
                if (ex is IOException or UnauthorizedAccessException)
                {
                    throw new ModelFetchException(ModelFetchFailure.Storage, model, source,
                        $"Cannot write face model '{model.Id}' to '{part}': {ex.Message}. Check free space and that this user may write to '{Path.GetDirectoryName(target)}'.", ex);
                }

                throw;
            }

            SyncDirectory(Path.GetDirectoryName(target)!);
        }
    }

    private async Task ReceiveAsync(
        ModelFile model, Uri source, HttpResponseMessage response, string part, CancellationTokenSource watchdog, long started,
        IProgress<ModelFetchProgress>? progress, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var head = new byte[32];
            var headLength = 0;
            long received = 0;
            var lastReport = started;
            await using (var file = new FileStream(part, FileMode.Create, FileAccess.Write, FileShare.None, 0, FileOptions.Asynchronous))
            {
                Stream body;
                try
                {
                    body = await response.Content.ReadAsStreamAsync(watchdog.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    throw Interrupted(model, source, 0, ex);
                }

                await using (body.ConfigureAwait(false))
                {
                    while (true)
                    {
                        watchdog.CancelAfter(_options.StallTimeout);
                        int read;
                        try
                        {
                            read = await body.ReadAsync(buffer.AsMemory(0, BufferSize), watchdog.Token).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                        {
                            throw Interrupted(model, source, received, ex);
                        }

                        if (read == 0)
                        {
                            break;
                        }

                        if (headLength < head.Length)
                        {
                            var take = Math.Min(read, head.Length - headLength);
                            buffer.AsSpan(0, take).CopyTo(head.AsSpan(headLength));
                            headLength += take;
                        }

                        received += read;
                        if (received > model.Size)
                        {
                            throw new ModelFetchException(ModelFetchFailure.WrongSize, model, source,
                                $"Refusing face model '{model.Id}' from {source}: it is longer than the pinned {ModelStore.Bytes(model.Size)}. " +
                                "Not the pinned file; nothing was kept.");
                        }

                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        var now = _options.TimeProvider.GetTimestamp();
                        if (progress is not null && (received == model.Size || _options.TimeProvider.GetElapsedTime(lastReport, now) >= _options.ProgressInterval))
                        {
                            lastReport = now;
                            progress.Report(new ModelFetchProgress(model, ModelFetchStage.Downloading, received, model.Size, _options.TimeProvider.GetElapsedTime(started, now)));
                        }
                    }
                }

                if (received != model.Size)
                {
                    var lfs = ModelStore.LooksLikeLfsPointer(head.AsSpan(0, headLength))
                        ? " It is a Git LFS pointer, not the model: the URL must point at the LFS media, not at the git file."
                        : string.Empty;
                    throw new ModelFetchException(ModelFetchFailure.WrongSize, model, source,
                        $"Refusing face model '{model.Id}' from {source}: got {ModelStore.Bytes(received)}, the pinned size is {ModelStore.Bytes(model.Size)}.{lfs} Nothing was kept; run the fetch again.");
                }

                var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
                if (!string.Equals(actual, model.Sha256, StringComparison.Ordinal))
                {
                    throw new ModelFetchException(ModelFetchFailure.WrongHash, model, source,
                        $"Refusing face model '{model.Id}' from {source}: sha256 {actual}, the pinned sha256 is {model.Sha256}. " +
                        "The server sent other bytes than the pinned file (changed upstream, a proxy, or corruption); nothing was kept.");
                }

                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private ModelFetchException Interrupted(ModelFile model, Uri source, long received, Exception ex)
    {
        var why = ex is OperationCanceledException
            ? $"no data for {Seconds(_options.StallTimeout)}"
            : ex.Message;
        return new ModelFetchException(ModelFetchFailure.Interrupted, model, source,
            $"Downloading face model '{model.Id}' from {source} broke off after {ModelStore.Bytes(received)} of {ModelStore.Bytes(model.Size)} ({why}). " +
            "Nothing was kept; run the fetch again.", ex);
    }

    private static ModelFetchException Unreachable(ModelFile model, Uri source, string why, Exception ex) =>
        new(ModelFetchFailure.Unreachable, model, source,
            $"The upstream host {source.Authority} could not be reached for face model '{model.Id}' ({why}; URL {source}). " +
            "Check the terminal's network, DNS and proxy (HTTPS_PROXY is honoured), or fetch from a local mirror with --from URL, " +
            "or copy the files into the models folder by hand and check them with 'mynaterm models verify'.", ex);

    private static string Describe(HttpRequestException ex)
    {
        var detail = ex.InnerException is SocketException socket ? socket.Message : ex.Message;
        return ex.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"DNS: {detail}",
            HttpRequestError.ConnectionError => $"connection failed: {detail}",
            HttpRequestError.SecureConnectionError => $"TLS failed ({detail}); is the terminal's clock right, or does a proxy intercept TLS?",
            HttpRequestError.ProxyTunnelError => $"the proxy refused the tunnel: {detail}",
            _ when ex.InnerException is AuthenticationException auth => $"TLS failed ({auth.Message}); is the terminal's clock right?",
            _ => detail,
        };
    }

    private static string Seconds(TimeSpan span) =>
        span.TotalSeconds >= 1 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalMilliseconds:0} ms";

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: the next fetch overwrites it.
        }
    }

    /// <summary>fsync the folder so the rename survives a power cut (Linux; best effort elsewhere).</summary>
    private static void SyncDirectory(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = NativeMethods.open(folder, 0 /* O_RDONLY */);
        if (fd >= 0)
        {
            _ = NativeMethods.fsync(fd);
            _ = NativeMethods.close(fd);
        }
    }

    private static class NativeMethods
    {
#pragma warning disable SYSLIB1054 // A plain DllImport keeps this free of unsafe code.
        [DllImport("libc", SetLastError = true)]
        internal static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        internal static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        internal static extern int close(int fd);
#pragma warning restore SYSLIB1054
    }
}
