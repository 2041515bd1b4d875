using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MynaTerminal.ClinicLink.Tests.Support;

namespace MynaTerminal.ClinicLink.Tests;

/// <summary>The durable outbox on its own, and wired into the link.</summary>
public sealed class SqliteOutboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OutboxItem Item(Guid? id = null, byte[]? payload = null) =>
        new(id ?? Guid.NewGuid(), new DateTimeOffset(2026, 4, 1, 9, 0, 0, TimeSpan.FromHours(9)), payload ?? [1, 2, 3]);

    private static async Task<List<Guid>> DrainAsync(IVerificationOutbox outbox)
    {
        var ids = new List<Guid>();
        while (await outbox.PeekPendingAsync(Ct) is { } item)
        {
            ids.Add(item.Id);
            await outbox.MarkDeliveredAsync(item.Id, Ct);
        }

        return ids;
    }

    [Fact]
    public async Task Items_survive_closing_and_reopening_the_file_in_order()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sub/dir/outbox.db");
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.NewGuid()).ToList();
        using (var outbox = new SqliteVerificationOutbox(path))
        {
            foreach (var id in ids)
            {
                Assert.True(await outbox.EnqueueAsync(Item(id), Ct));
            }
        }

        using var reopened = new SqliteVerificationOutbox(path);
        Assert.Equal(5, await reopened.CountPendingAsync(Ct));
        var first = await reopened.PeekPendingAsync(Ct);
        Assert.NotNull(first);
        Assert.Equal(Item().EnqueuedAt, first.EnqueuedAt);
        Assert.Equal(ids, await DrainAsync(reopened));
        Assert.Equal(0, await reopened.CountPendingAsync(Ct));
    }

    [Fact]
    public async Task A_duplicate_id_is_refused_and_changes_nothing_also_after_reopening()
    {
        using var dir = new TempDirectory();
        var id = Guid.NewGuid();
        using (var outbox = new SqliteVerificationOutbox(dir.File("outbox.db")))
        {
            Assert.True(await outbox.EnqueueAsync(Item(id, [1]), Ct));
            Assert.False(await outbox.EnqueueAsync(Item(id, [2]), Ct));
        }

        using var reopened = new SqliteVerificationOutbox(dir.File("outbox.db"));
        Assert.False(await reopened.EnqueueAsync(Item(id, [3]), Ct));
        Assert.Equal(1, await reopened.CountPendingAsync(Ct));
        Assert.Equal([1], (await reopened.PeekPendingAsync(Ct))!.Payload.ToArray());
    }

    [Fact]
    public async Task MarkDelivered_removes_only_that_item_and_ignores_unknown_ids()
    {
        using var dir = new TempDirectory();
        using var outbox = new SqliteVerificationOutbox(dir.File("outbox.db"));
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        foreach (var id in new[] { a, b, c })
        {
            await outbox.EnqueueAsync(Item(id), Ct);
        }

        await outbox.MarkDeliveredAsync(b, Ct);
        await outbox.MarkDeliveredAsync(Guid.NewGuid(), Ct);
        Assert.Equal(2, await outbox.CountPendingAsync(Ct));
        Assert.Equal([a, c], await DrainAsync(outbox));

        // A delivered id may be queued again (the clinic de-duplicates on it).
        Assert.True(await outbox.EnqueueAsync(Item(b), Ct));
    }

    [Fact]
    public async Task A_payload_survives_byte_for_byte()
    {
        using var dir = new TempDirectory();
        var payload = new byte[70_000];
        new Random(42).NextBytes(payload);
        for (var i = 0; i < 256; i++)
        {
            payload[i] = (byte)i;
        }

        using (var outbox = new SqliteVerificationOutbox(dir.File("outbox.db")))
        {
            await outbox.EnqueueAsync(Item(payload: payload), Ct);
            Assert.Equal(payload, (await outbox.PeekPendingAsync(Ct))!.Payload.ToArray());
        }

        using var reopened = new SqliteVerificationOutbox(dir.File("outbox.db"));
        Assert.Equal(payload, (await reopened.PeekPendingAsync(Ct))!.Payload.ToArray());
    }

    [Fact]
    public async Task It_refuses_items_when_full_and_says_when_it_is_nearly_full()
    {
        using var dir = new TempDirectory();
        using var outbox = new SqliteVerificationOutbox(dir.File("outbox.db"), capacity: 10);
        var changes = new List<bool>();
        outbox.NearlyFullChanged += changes.Add;
        var ids = new List<Guid>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(Guid.NewGuid());
            await outbox.EnqueueAsync(Item(ids[^1]), Ct);
        }

        Assert.False(outbox.NearlyFull);
        ids.Add(Guid.NewGuid());
        await outbox.EnqueueAsync(Item(ids[^1]), Ct);
        Assert.True(outbox.NearlyFull);
        ids.Add(Guid.NewGuid());
        await outbox.EnqueueAsync(Item(ids[^1]), Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await outbox.EnqueueAsync(Item(), Ct));
        Assert.Equal(10, await outbox.CountPendingAsync(Ct));

        // A duplicate of a pending item is still just "already there", not an error.
        Assert.False(await outbox.EnqueueAsync(Item(ids[0]), Ct));

        await outbox.MarkDeliveredAsync(ids[0], Ct);
        Assert.True(outbox.NearlyFull);
        await outbox.MarkDeliveredAsync(ids[1], Ct);
        Assert.False(outbox.NearlyFull);
        Assert.Equal([true, false], changes);

        // The capacity counts what is on disk after a restart too.
        outbox.Dispose();
        using var reopened = new SqliteVerificationOutbox(dir.File("outbox.db"), capacity: 8);
        Assert.True(reopened.NearlyFull);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await reopened.EnqueueAsync(Item(), Ct));
    }

    [Fact]
    public async Task Concurrent_enqueues_lose_nothing_and_keep_each_writers_order()
    {
        using var dir = new TempDirectory();
        using var outbox = new SqliteVerificationOutbox(dir.File("outbox.db"));
        const int Writers = 8;
        const int PerWriter = 40;
        var written = Enumerable.Range(0, Writers)
            .Select(_ => Enumerable.Range(0, PerWriter).Select(_ => Guid.NewGuid()).ToList())
            .ToList();

        await Task.WhenAll(written.Select(ids => Task.Run(
            async () =>
            {
                foreach (var id in ids)
                {
                    Assert.True(await outbox.EnqueueAsync(Item(id), Ct));
                }
            },
            Ct)));

        Assert.Equal(Writers * PerWriter, await outbox.CountPendingAsync(Ct));
        var delivered = await DrainAsync(outbox);
        Assert.Equal(Writers * PerWriter, delivered.Distinct().Count());
        foreach (var ids in written)
        {
            Assert.Equal(ids, delivered.Where(ids.Contains).ToList());
        }
    }

    [Fact]
    public async Task What_EnqueueAsync_returned_for_is_on_disk_even_if_the_outbox_is_abandoned()
    {
        using var dir = new TempDirectory();
        var path = dir.File("outbox.db");
        var ids = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };

        // Never disposed: no checkpoint, no close, as after a crash.
        var abandoned = new SqliteVerificationOutbox(path);
        foreach (var id in ids)
        {
            await abandoned.EnqueueAsync(Item(id), Ct);
        }

        // The files exactly as they are on disk now (database and WAL), opened elsewhere …
        using var copyDir = new TempDirectory();
        foreach (var suffix in new[] { "", "-wal" })
        {
            if (File.Exists(path + suffix))
            {
                File.Copy(path + suffix, copyDir.File("outbox.db" + suffix));
            }
        }

        using (var copy = new SqliteVerificationOutbox(copyDir.File("outbox.db")))
        {
            Assert.Equal(ids, await DrainAsync(copy));
        }

        // … and a second outbox on the same file while the first one is still open sees them too.
        using var second = new SqliteVerificationOutbox(path);
        Assert.Equal(3, await second.CountPendingAsync(Ct));
        Assert.Equal(ids[0], (await second.PeekPendingAsync(Ct))!.Id);
        GC.KeepAlive(abandoned);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_moved_aside_and_a_new_outbox_starts()
    {
        using var dir = new TempDirectory();
        var path = dir.File("outbox.db");
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(path, garbage, Ct);
        var now = new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

        using var outbox = new SqliteVerificationOutbox(path, timeProvider: new FixedTime(now));

        Assert.Equal(path + ".corrupt-20260506T070809Z", outbox.CorruptFileMovedTo);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(outbox.CorruptFileMovedTo!, Ct));
        Assert.Equal(0, await outbox.CountPendingAsync(Ct));
        Assert.True(await outbox.EnqueueAsync(Item(), Ct));
    }

    [Fact]
    public void A_file_that_cannot_be_opened_for_other_reasons_stops_the_start_and_is_left_alone()
    {
        using var dir = new TempDirectory();

        // The "directory" is a file: the outbox cannot be created.
        File.WriteAllText(dir.File("blocker"), "x");
        var error = Assert.Throws<InvalidOperationException>(() => new SqliteVerificationOutbox(dir.File("blocker/outbox.db")));
        Assert.Contains("OutboxPath", error.Message, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(dir.File("blocker")));

        // The path is a directory.
        Directory.CreateDirectory(dir.File("outbox.db"));
        Assert.Throws<InvalidOperationException>(() => new SqliteVerificationOutbox(dir.File("outbox.db")));
        Assert.True(Directory.Exists(dir.File("outbox.db")));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.corrupt-*"));
    }

    [Fact]
    public void OutboxPath_and_OutboxCapacity_are_validated()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("file"), "x");
        Assert.Empty(Validate(new ClinicLinkOptions()));
        Assert.Equal(ClinicLinkOptions.DefaultOutboxPath, new ClinicLinkOptions().OutboxPath);
        Assert.True(new ClinicLinkOptions().UsesDurableOutbox);
        Assert.Empty(Validate(new ClinicLinkOptions { OutboxPath = "" }));
        Assert.Empty(Validate(new ClinicLinkOptions { OutboxPath = dir.File("a/b/outbox.db") }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { OutboxPath = "relative/outbox.db" }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { OutboxPath = dir.Path }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { OutboxPath = dir.File("file/outbox.db") }));
        Assert.NotEmpty(Validate(new ClinicLinkOptions { OutboxCapacity = 0 }));
    }

    [Fact]
    public void AddClinicLink_uses_the_sqlite_outbox_for_an_OutboxPath_and_memory_for_an_empty_one()
    {
        using var dir = new TempDirectory();
        using (var services = Build(new() { ["OutboxPath"] = dir.File("outbox.db"), ["OutboxCapacity"] = "50" }))
        {
            var outbox = Assert.IsType<SqliteVerificationOutbox>(services.GetRequiredService<IVerificationOutbox>());
            Assert.Equal(dir.File("outbox.db"), outbox.Path);
            Assert.Equal(50, outbox.Capacity);
        }

        using (var services = Build(new() { ["OutboxPath"] = "" }))
        {
            Assert.Equal(string.Empty, services.GetRequiredService<IOptions<ClinicLinkOptions>>().Value.OutboxPath);
            Assert.IsType<InMemoryVerificationOutbox>(services.GetRequiredService<IVerificationOutbox>());
        }

        using (var services = Build([]))
        {
            Assert.Equal(ClinicLinkOptions.DefaultOutboxPath, services.GetRequiredService<IOptions<ClinicLinkOptions>>().Value.OutboxPath);
        }
    }

    [Fact]
    public async Task The_link_raises_a_deviceFault_alert_when_the_outbox_gets_nearly_full()
    {
        using var dir = new TempDirectory();
        var port = FreePort.Next();
        var settings = LinkHost.FastSettings("t-full");
        settings["EmbeddedPort"] = port.ToString(CultureInfo.InvariantCulture);
        settings["OutboxPath"] = dir.File("outbox.db");
        settings["OutboxCapacity"] = "2";
        await using var host = await LinkHost.StartAsync(settings, Ct);
        await host.Link.WaitUntilOnlineAsync(Ct).WaitAsync(TestClient.DefaultTimeout, Ct);
        await using var staff = await TestClient.ConnectAsync(port, "staff", cancellationToken: Ct);
        await staff.SubscribeAsync("mynaterm/t-full/event/alert", Ct);

        // Nobody subscribes to verifications, so they stay pending.
        await host.Link.EnqueueVerificationAsync(Samples.FaceVerification(), Ct);
        await host.Link.EnqueueVerificationAsync(Samples.FaceVerification(), Ct);

        var alert = await staff.WaitForAsync(m => true, cancellationToken: Ct);
        using var json = JsonDocument.Parse(alert.Payload);
        Assert.Equal("deviceFault", json.RootElement.GetProperty("kind").GetString());
        Assert.Contains("nearly full", json.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Link.EnqueueVerificationAsync(Samples.FaceVerification(), Ct));
    }

    [Fact]
    public async Task Through_a_restart_and_a_broker_outage_mosquitto_delivers_the_verification_exactly_once()
    {
        MosquittoBroker.SkipIfMissing();
        using var dir = new TempDirectory();
        var port = FreePort.Next();
        await using var mosquitto = MosquittoBroker.Create(port);
        var settings = LinkHost.FastSettings("m-durable");
        settings["Broker"] = "127.0.0.1";
        settings["Port"] = port.ToString(CultureInfo.InvariantCulture);
        settings["OutboxPath"] = dir.File("outbox.db");
        var result = Samples.FaceVerification();

        // The broker is down: the verification only reaches the outbox file; then the terminal restarts.
        await using (var first = await LinkHost.StartAsync(settings, Ct))
        {
            await first.Link.EnqueueVerificationAsync(result, Ct).WaitAsync(TestClient.DefaultTimeout, Ct);
            Assert.False(first.Link.IsOnline);
            await first.StopAsync();
        }

        await using var second = await LinkHost.StartAsync(settings, Ct);
        Assert.Equal(1, await second.Link.CountPendingVerificationsAsync(Ct));
        using var published = new PublishedWaiter(second.Link, second.Link.Topics.VerificationEvent);

        await mosquitto.StartAsync(Ct);
        await using var clinic = await TestClient.ConnectAsync(port, "clinic", cancellationToken: Ct);
        await clinic.SubscribeAsync("mynaterm/m-durable/event/verification", Ct);

        var message = await clinic.WaitForAsync(m => true, cancellationToken: Ct);
        using (var json = JsonDocument.Parse(message.Payload))
        {
            Assert.Equal(result.Id, json.RootElement.GetProperty("id").GetGuid());
        }

        await published.Task;
        Assert.Equal(0, await second.Link.CountPendingVerificationsAsync(Ct));

        // Give a duplicate time to show up (the retry delay is 200 ms); none may.
        await Task.Delay(TimeSpan.FromSeconds(1), Ct);
        Assert.Single(clinic.Received);
        await second.StopAsync();
        using var after = new SqliteVerificationOutbox(dir.File("outbox.db"));
        Assert.Equal(0, await after.CountPendingAsync(Ct));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(p => KeyValuePair.Create($"{ClinicLinkOptions.SectionName}:{p.Key}", p.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddClinicLink(configuration);
        return services.BuildServiceProvider();
    }

    private static List<ValidationResult> Validate(ClinicLinkOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
