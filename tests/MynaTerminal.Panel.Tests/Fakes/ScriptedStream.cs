using System.Threading.Channels;

namespace MynaTerminal.Panel.Tests.Fakes;

/// <summary>
/// A read-only stream fed by the test: each <see cref="Send"/> is delivered as written (a read may return less than
/// a chunk; the rest comes with the next read), <see cref="End"/> gives end of stream, <see cref="Fail"/> an error.
/// </summary>
internal sealed class ScriptedStream : Stream
{
    private readonly Channel<object> _chunks = Channel.CreateUnbounded<object>();
    private ReadOnlyMemory<byte> _rest;
    private TaskCompletionSource? _drained;

    /// <summary>Largest number of bytes one read returns (to force partial records).</summary>
    public int MaxRead { get; init; } = int.MaxValue;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Send(byte[] bytes) => _chunks.Writer.TryWrite(bytes);

    /// <summary>
    /// Sends <paramref name="bytes"/> and completes once the reader has taken them all and asks for more, i.e. after
    /// the events they hold were handled.
    /// </summary>
    public Task SendAndDrainAsync(byte[] bytes)
    {
        var drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _drained, drained);
        Send(bytes);
        return drained.Task;
    }

    public void End() => _chunks.Writer.TryComplete();

    public void Fail(Exception error) => _chunks.Writer.TryWrite(error);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_rest.IsEmpty)
        {
            if (!_chunks.Reader.TryPeek(out _))
            {
                Interlocked.Exchange(ref _drained, null)?.TrySetResult();
            }

            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            var next = await _chunks.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (next is Exception error)
            {
                throw error;
            }

            _rest = (byte[])next;
        }

        var count = Math.Min(Math.Min(buffer.Length, _rest.Length), MaxRead);
        _rest[..count].CopyTo(buffer);
        _rest = _rest[count..];
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Use ReadAsync.");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
