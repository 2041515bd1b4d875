namespace MynaTerminal.ClinicLink;

/// <summary>One verification waiting for delivery: its id (the session id) and the serialized payload.</summary>
public sealed record OutboxItem(Guid Id, DateTimeOffset EnqueuedAt, ReadOnlyMemory<byte> Payload);

/// <summary>
/// Where verifications wait until the broker has acknowledged them (PUBACK). Items leave in the order
/// they came, and only through <see cref="MarkDeliveredAsync(Guid, CancellationToken)"/>; nothing is ever dropped. A durable
/// implementation keeps them across restarts; <see cref="InMemoryVerificationOutbox"/> does not.
/// </summary>
public interface IVerificationOutbox
{
    /// <summary>
    /// Stores the item. Returns false, and changes nothing, when an item with the same id is already
    /// pending (the id is the de-duplication key). Throws when the item cannot be stored.
    /// </summary>
    ValueTask<bool> EnqueueAsync(OutboxItem item, CancellationToken cancellationToken);

    /// <summary>The oldest pending item, or null when none is pending. It stays pending.</summary>
    ValueTask<OutboxItem?> PeekPendingAsync(CancellationToken cancellationToken);

    /// <summary>Removes the item from the pending ones; unknown ids are ignored.</summary>
    ValueTask MarkDeliveredAsync(Guid id, CancellationToken cancellationToken);

    ValueTask<int> CountPendingAsync(CancellationToken cancellationToken);

    /// <summary>The oldest pending items, at most <paramref name="max"/>, oldest first. They stay pending.</summary>
    async ValueTask<IReadOnlyList<OutboxItem>> PeekPendingAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        return await PeekPendingAsync(cancellationToken).ConfigureAwait(false) is { } item ? [item] : [];
    }

    /// <summary>Removes several items at once (a durable outbox does it in one transaction: one fsync for all).</summary>
    async ValueTask MarkDeliveredAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        foreach (var id in ids)
        {
            await MarkDeliveredAsync(id, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Proves the outbox can store a verification now (for the self-test): a durable outbox commits a write to
    /// disk. Returns a short description; throws when it cannot write.
    /// </summary>
    ValueTask<string> ProbeWriteAsync(CancellationToken cancellationToken) => ValueTask.FromResult("in memory; verifications are lost on restart");
}

/// <summary>
/// The outbox in memory: ordered, de-duplicating and bounded (it refuses items when full rather than
/// dropping old ones). Pending items are lost when the process ends; the durable one replaces it.
/// </summary>
public sealed class InMemoryVerificationOutbox : IVerificationOutbox
{
    public const int DefaultCapacity = 10_000;

    private readonly Lock _lock = new();
    private readonly LinkedList<OutboxItem> _pending = new();
    private readonly int _capacity;

    public InMemoryVerificationOutbox()
        : this(DefaultCapacity)
    {
    }

    public InMemoryVerificationOutbox(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public ValueTask<bool> EnqueueAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (_pending.Any(p => p.Id == item.Id))
            {
                return ValueTask.FromResult(false);
            }

            if (_pending.Count >= _capacity)
            {
                throw new InvalidOperationException($"The verification outbox is full ({_capacity} pending items).");
            }

            // Keep our own copy: the caller may reuse its buffer.
            _pending.AddLast(item with { Payload = item.Payload.ToArray() });
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<OutboxItem?> PeekPendingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_pending.First?.Value);
        }
    }

    public ValueTask<IReadOnlyList<OutboxItem>> PeekPendingAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<OutboxItem>>([.. _pending.Take(max)]);
        }
    }

    public ValueTask MarkDeliveredAsync(Guid id, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            for (var node = _pending.First; node is not null; node = node.Next)
            {
                if (node.Value.Id == id)
                {
                    _pending.Remove(node);
                    break;
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(_pending.Count);
        }
    }
}
