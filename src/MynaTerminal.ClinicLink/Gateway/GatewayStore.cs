using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace MynaTerminal.ClinicLink.Gateway;

/// <summary>What the gateway knows about one received verification.</summary>
public enum ReceivedStatus
{
    /// <summary>Not seen before.</summary>
    New,
    /// <summary>Signature checked, counted, logged.</summary>
    Accepted,
    /// <summary>Kept until the terminal's <c>info</c> brings the key that signed it.</summary>
    WaitingForKey,
}

/// <summary>
/// The gateway's durable memory (SQLite, WAL, <c>synchronous=FULL</c>): the ids of accepted verifications, so
/// a re-delivered one is never counted twice, also across restarts; verifications waiting for their terminal's
/// key; and every device key seen per terminal (a replay signed by an earlier key still verifies). Thread-safe.
/// </summary>
public sealed class GatewayStore : IDisposable
{
    private readonly Lock _lock = new();
    private readonly SqliteConnection _connection;
    private bool _disposed;

    public GatewayStore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        try
        {
            _connection.Open();
            Execute("PRAGMA journal_mode=WAL");
            Execute("PRAGMA synchronous=FULL");
            Execute("""
                CREATE TABLE IF NOT EXISTS verifications (
                    id TEXT PRIMARY KEY,
                    terminal_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    received_at TEXT NOT NULL,
                    key_id TEXT,
                    message BLOB);
                CREATE TABLE IF NOT EXISTS terminal_keys (
                    terminal_id TEXT NOT NULL,
                    kid TEXT NOT NULL,
                    jwk TEXT NOT NULL,
                    first_seen TEXT NOT NULL,
                    PRIMARY KEY (terminal_id, kid));
                """);
        }
        catch (SqliteException ex)
        {
            _connection.Dispose();
            throw new InvalidOperationException($"The gateway store '{Path}' cannot be opened: {ex.Message}", ex);
        }
    }

    public string Path { get; }

    /// <summary>What is recorded for <paramref name="id"/>.</summary>
    public ReceivedStatus StatusOf(Guid id)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("SELECT status FROM verifications WHERE id = $id");
            command.Parameters.AddWithValue("$id", Format(id));
            return command.ExecuteScalar() switch
            {
                "accepted" => ReceivedStatus.Accepted,
                "waiting" => ReceivedStatus.WaitingForKey,
                _ => ReceivedStatus.New,
            };
        }
    }

    /// <summary>Records the verification as accepted; false (and nothing changes) when it already was.</summary>
    public bool TryAccept(Guid id, string terminalId, string keyId, DateTimeOffset at)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("""
                INSERT INTO verifications (id, terminal_id, status, received_at, key_id, message) VALUES ($id, $terminal, 'accepted', $at, $kid, NULL)
                ON CONFLICT (id) DO UPDATE SET status = 'accepted', key_id = $kid, message = NULL WHERE status <> 'accepted'
                """);
            command.Parameters.AddWithValue("$id", Format(id));
            command.Parameters.AddWithValue("$terminal", terminalId);
            command.Parameters.AddWithValue("$at", at.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$kid", keyId);
            return command.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>Keeps a verification whose key is not known yet (once per id).</summary>
    public void KeepWaiting(Guid id, string terminalId, string? keyId, byte[] message, DateTimeOffset at)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("""
                INSERT INTO verifications (id, terminal_id, status, received_at, key_id, message) VALUES ($id, $terminal, 'waiting', $at, $kid, $message)
                ON CONFLICT (id) DO NOTHING
                """);
            command.Parameters.AddWithValue("$id", Format(id));
            command.Parameters.AddWithValue("$terminal", terminalId);
            command.Parameters.AddWithValue("$at", at.ToString("O", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("$kid", (object?)keyId ?? DBNull.Value);
            command.Parameters.Add("$message", SqliteType.Blob).Value = message;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The messages of <paramref name="terminalId"/> waiting for a key.</summary>
    public IReadOnlyList<(Guid Id, byte[] Message)> Waiting(string terminalId)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("SELECT id, message FROM verifications WHERE status = 'waiting' AND terminal_id = $terminal ORDER BY received_at");
            command.Parameters.AddWithValue("$terminal", terminalId);
            using var reader = command.ExecuteReader();
            var list = new List<(Guid, byte[])>();
            while (reader.Read())
            {
                list.Add((Guid.ParseExact(reader.GetString(0), "D"), (byte[])reader.GetValue(1)));
            }

            return list;
        }
    }

    /// <summary>Forgets a waiting verification that turned out to be invalid.</summary>
    public void DropWaiting(Guid id)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("DELETE FROM verifications WHERE id = $id AND status = 'waiting'");
            command.Parameters.AddWithValue("$id", Format(id));
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Ids of every accepted verification, in the order they were accepted.</summary>
    public IReadOnlyList<Guid> AcceptedIds()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("SELECT id FROM verifications WHERE status = 'accepted' ORDER BY rowid");
            using var reader = command.ExecuteReader();
            var list = new List<Guid>();
            while (reader.Read())
            {
                list.Add(Guid.ParseExact(reader.GetString(0), "D"));
            }

            return list;
        }
    }

    /// <summary>Remembers a terminal's key; true when it was new for that terminal.</summary>
    public bool RememberKey(string terminalId, DeviceKeyJwk key, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("INSERT INTO terminal_keys (terminal_id, kid, jwk, first_seen) VALUES ($terminal, $kid, $jwk, $at) ON CONFLICT DO NOTHING");
            command.Parameters.AddWithValue("$terminal", terminalId);
            command.Parameters.AddWithValue("$kid", key.Kid);
            command.Parameters.AddWithValue("$jwk", JsonSerializer.Serialize(key, ClinicLinkJsonContext.Default.DeviceKeyJwk));
            command.Parameters.AddWithValue("$at", at.ToString("O", CultureInfo.InvariantCulture));
            return command.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>Every key seen for the terminal.</summary>
    public IReadOnlyList<DeviceKeyJwk> KeysOf(string terminalId)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var command = Command("SELECT jwk FROM terminal_keys WHERE terminal_id = $terminal ORDER BY first_seen");
            command.Parameters.AddWithValue("$terminal", terminalId);
            using var reader = command.ExecuteReader();
            var list = new List<DeviceKeyJwk>();
            while (reader.Read())
            {
                list.Add(JsonSerializer.Deserialize(reader.GetString(0), ClinicLinkJsonContext.Default.DeviceKeyJwk)!);
            }

            return list;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _disposed = true;
                _connection.Dispose();
            }
        }
    }

    private static string Format(Guid id) => id.ToString("D", CultureInfo.InvariantCulture);

    private SqliteCommand Command(string sql)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }
}
