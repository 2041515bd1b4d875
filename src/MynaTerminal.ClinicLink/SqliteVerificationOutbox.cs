using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MynaTerminal.ClinicLink;

/// <summary>
/// Raised by an outbox that can tell when it is close to refusing verifications, so the link can alert staff.
/// </summary>
public interface IVerificationOutboxCapacity
{
    /// <summary>How many items the outbox holds at most; beyond that it refuses new ones.</summary>
    int Capacity { get; }

    /// <summary>True while at least <see cref="SqliteVerificationOutbox.NearlyFullPercent"/> % of <see cref="Capacity"/> is pending.</summary>
    bool NearlyFull { get; }

    /// <summary>Raised (on the caller's thread, outside any lock) when <see cref="NearlyFull"/> changes.</summary>
    event Action<bool>? NearlyFullChanged;
}

/// <summary>
/// The durable outbox: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so a verification whose
/// <see cref="EnqueueAsync"/> has returned survives a crash or a power cut. Items leave in the order they
/// came (<c>seq</c>), and only through <see cref="MarkDeliveredAsync(Guid, CancellationToken)"/>. Bounded: it refuses new items when
/// <see cref="Capacity"/> are pending (it never drops old ones) and reports <see cref="NearlyFull"/>.
/// </summary>
/// <remarks>
/// <para>Opening: the directory is created if missing. A file that SQLite cannot open as a database
/// (not a database, or corrupt beyond opening) is renamed aside to <c>&lt;name&gt;.corrupt-&lt;UTC timestamp&gt;</c>
/// (with its <c>-wal</c>/<c>-shm</c>), a critical message is logged, <see cref="CorruptFileMovedTo"/> is set and
/// a fresh database is started; the renamed file is kept for recovery. A file that opens but fails
/// <c>PRAGMA quick_check</c>, or one that cannot be read or written (permissions, read-only disk), is never
/// touched: the constructor throws and the terminal does not start.</para>
/// <para>Thread-safe: one connection, every call under one lock. Calls complete synchronously (SQLite has no
/// asynchronous I/O); an enqueue costs one fsync of the WAL.</para>
/// </remarks>
public sealed partial class SqliteVerificationOutbox : IVerificationOutbox, IVerificationOutboxCapacity, IDisposable
{
    public const int DefaultCapacity = InMemoryVerificationOutbox.DefaultCapacity;

    /// <summary>Pending share (in %) of the capacity from which <see cref="NearlyFull"/> is true.</summary>
    public const int NearlyFullPercent = 90;

    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    private readonly Lock _lock = new();
    private readonly ILogger _logger;
    private readonly SqliteConnection _connection;
    private readonly int _nearlyFullThreshold;
    private int _count;
    private bool _nearlyFull;
    private bool _disposed;

    /// <param name="path">The database file; its directory is created when missing.</param>
    /// <param name="capacity">Most pending items; beyond that <see cref="EnqueueAsync"/> throws.</param>
    /// <param name="logger">Where corruption, refusals and the nearly-full state are reported.</param>
    /// <param name="timeProvider">For the timestamp in the name of a corrupt file moved aside.</param>
    public SqliteVerificationOutbox(string path, int capacity = DefaultCapacity, ILogger<SqliteVerificationOutbox>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Path = System.IO.Path.GetFullPath(path);
        Capacity = capacity;
        _nearlyFullThreshold = Math.Max(1, (int)Math.Ceiling(capacity * (NearlyFullPercent / 100.0)));

        var directory = System.IO.Path.GetDirectoryName(Path)!;
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The verification outbox directory '{directory}' cannot be created ({ex.Message}). Check ClinicLink:OutboxPath.", ex);
        }

        try
        {
            _connection = Open(Path);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            var movedTo = MoveAside(Path, (timeProvider ?? TimeProvider.System).GetUtcNow());
            CorruptFileMovedTo = movedTo;
            LogCorruptMovedAside(Path, movedTo, ex);
            try
            {
                _connection = Open(Path);
            }
            catch (SqliteException again)
            {
                throw new InvalidOperationException($"The verification outbox '{Path}' could not be recreated after moving the corrupt file to '{movedTo}'.", again);
            }
        }
        catch (InvalidOperationException ex)
        {
            LogUnusable(Path, ex);
            throw;
        }
        catch (SqliteException ex)
        {
            LogUnusable(Path, ex);
            throw new InvalidOperationException($"The verification outbox '{Path}' cannot be opened: {ex.Message} Check ClinicLink:OutboxPath and the file's permissions.", ex);
        }

        _count = CountRows();
        _nearlyFull = _count >= _nearlyFullThreshold;
        if (_nearlyFull)
        {
            LogNearlyFull(_count, Capacity);
        }
    }

    /// <summary>The full path of the database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public int Capacity { get; }

    /// <summary>Where an unopenable database file was moved when this outbox started; null when none was.</summary>
    public string? CorruptFileMovedTo { get; }

    /// <inheritdoc />
    public bool NearlyFull
    {
        get
        {
            lock (_lock)
            {
                return _nearlyFull;
            }
        }
    }

    /// <inheritdoc />
    public event Action<bool>? NearlyFullChanged;

    public ValueTask<bool> EnqueueAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        cancellationToken.ThrowIfCancellationRequested();
        bool? changedTo;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction();
            using (var exists = _connection.CreateCommand())
            {
                exists.Transaction = transaction;
                exists.CommandText = "SELECT 1 FROM outbox WHERE id = $id";
                exists.Parameters.AddWithValue("$id", FormatId(item.Id));
                if (exists.ExecuteScalar() is not null)
                {
                    return ValueTask.FromResult(false);
                }
            }

            if (_count >= Capacity)
            {
                LogFull(item.Id, Capacity);
                throw new InvalidOperationException($"The verification outbox is full ({Capacity} pending items).");
            }

            using (var insert = _connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO outbox (id, enqueued_at, payload) VALUES ($id, $at, $payload)";
                insert.Parameters.AddWithValue("$id", FormatId(item.Id));
                insert.Parameters.AddWithValue("$at", item.EnqueuedAt.ToString("O", CultureInfo.InvariantCulture));
                insert.Parameters.Add("$payload", SqliteType.Blob).Value = item.Payload.ToArray();
                insert.ExecuteNonQuery();
            }

            // With synchronous=FULL the commit returns only after the WAL is on disk.
            transaction.Commit();
            _count++;
            changedTo = UpdateNearlyFull();
        }

        Raise(changedTo);
        return ValueTask.FromResult(true);
    }

    public ValueTask<OutboxItem?> PeekPendingAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, enqueued_at, payload FROM outbox ORDER BY seq LIMIT 1";
            using var reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return ValueTask.FromResult<OutboxItem?>(null);
            }

            var item = new OutboxItem(
                Guid.ParseExact(reader.GetString(0), "D"),
                DateTimeOffset.ParseExact(reader.GetString(1), "O", CultureInfo.InvariantCulture),
                (byte[])reader.GetValue(2));
            return ValueTask.FromResult<OutboxItem?>(item);
        }
    }

    public ValueTask<IReadOnlyList<OutboxItem>> PeekPendingAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, enqueued_at, payload FROM outbox ORDER BY seq LIMIT $max";
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            var items = new List<OutboxItem>();
            while (reader.Read())
            {
                items.Add(new OutboxItem(
                    Guid.ParseExact(reader.GetString(0), "D"),
                    DateTimeOffset.ParseExact(reader.GetString(1), "O", CultureInfo.InvariantCulture),
                    (byte[])reader.GetValue(2)));
            }

            return ValueTask.FromResult<IReadOnlyList<OutboxItem>>(items);
        }
    }

    /// <summary>Deletes the delivered items in one transaction: one fsync for the whole batch.</summary>
    public ValueTask MarkDeliveredAsync(IReadOnlyCollection<Guid> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        bool? changedTo;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM outbox WHERE id = $id";
            var parameter = command.Parameters.Add("$id", SqliteType.Text);
            var deleted = 0;
            foreach (var id in ids)
            {
                parameter.Value = FormatId(id);
                deleted += command.ExecuteNonQuery();
            }

            transaction.Commit();
            _count -= deleted;
            changedTo = UpdateNearlyFull();
        }

        Raise(changedTo);
        return ValueTask.CompletedTask;
    }

    /// <summary>Commits one row to a probe table (one fsync), proving the file and its directory are writable now.</summary>
    public ValueTask<string> ProbeWriteAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                CREATE TABLE IF NOT EXISTS probe (name TEXT PRIMARY KEY, at TEXT NOT NULL);
                INSERT OR REPLACE INTO probe (name, at) VALUES ('selftest', $at);
                """;
            command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
            transaction.Commit();
            return ValueTask.FromResult($"{Path}: write committed; {_count} of {Capacity} pending");
        }
    }

    public ValueTask MarkDeliveredAsync(Guid id, CancellationToken cancellationToken)
    {
        bool? changedTo;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM outbox WHERE id = $id";
            command.Parameters.AddWithValue("$id", FormatId(id));
            _count -= command.ExecuteNonQuery();
            changedTo = UpdateNearlyFull();
        }

        Raise(changedTo);
        return ValueTask.CompletedTask;
    }

    public ValueTask<int> CountPendingAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return ValueTask.FromResult(_count);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _connection.Dispose();
        }
    }

    private static SqliteConnection Open(string path)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString();
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            var journal = Scalar(connection, "PRAGMA journal_mode=WAL");
            if (!string.Equals(journal as string, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"The verification outbox '{path}' could not switch to WAL (journal_mode is '{journal}').");
            }

            Scalar(connection, "PRAGMA synchronous=FULL");
            var check = Scalar(connection, "PRAGMA quick_check") as string;
            if (!string.Equals(check, "ok", StringComparison.Ordinal))
            {
                // It opens, so it is not moved aside: its rows may still be recoverable by hand.
                throw new InvalidOperationException($"The verification outbox '{path}' fails its integrity check ({check}); it was left untouched. Recover or move it aside by hand.");
            }

            Scalar(connection, """
                CREATE TABLE IF NOT EXISTS outbox (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    enqueued_at TEXT NOT NULL,
                    payload BLOB NOT NULL)
                """);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    private static string MoveAside(string path, DateTimeOffset now)
    {
        var target = $"{path}.corrupt-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
        for (var n = 1; File.Exists(target); n++)
        {
            target = $"{path}.corrupt-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}-{n}";
        }

        File.Move(path, target);
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, target + suffix);
            }
        }

        return target;
    }

    private static string FormatId(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private int CountRows() => Convert.ToInt32(Scalar(_connection, "SELECT COUNT(*) FROM outbox"), CultureInfo.InvariantCulture);

    /// <summary>Under the lock: the new value when <see cref="NearlyFull"/> changed, else null.</summary>
    private bool? UpdateNearlyFull()
    {
        var nearlyFull = _count >= _nearlyFullThreshold;
        if (nearlyFull == _nearlyFull)
        {
            return null;
        }

        _nearlyFull = nearlyFull;
        if (nearlyFull)
        {
            LogNearlyFull(_count, Capacity);
        }
        else
        {
            LogNoLongerNearlyFull(_count, Capacity);
        }

        return nearlyFull;
    }

    private void Raise(bool? changedTo)
    {
        if (changedTo is { } value)
        {
            NearlyFullChanged?.Invoke(value);
        }
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Critical, Message = "The verification outbox {Path} could not be opened as a database; it was moved to {MovedTo} for recovery and a new, empty outbox was started")]
    private partial void LogCorruptMovedAside(string path, string movedTo, Exception exception);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Critical, Message = "The verification outbox {Path} cannot be used")]
    private partial void LogUnusable(string path, Exception exception);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Critical, Message = "The verification outbox is full ({Capacity} pending); verification {Id} was refused")]
    private partial void LogFull(Guid id, int capacity);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "The verification outbox is nearly full: {Count} of {Capacity} pending")]
    private partial void LogNearlyFull(int count, int capacity);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Information, Message = "The verification outbox is no longer nearly full: {Count} of {Capacity} pending")]
    private partial void LogNoLongerNearlyFull(int count, int capacity);
}
