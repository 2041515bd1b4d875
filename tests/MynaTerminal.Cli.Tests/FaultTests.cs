using System.Collections.Concurrent;
using System.Globalization;
using MynaTerminal.ClinicLink;
using MynaTerminal.ClinicLink.Gateway;
using MynaTerminal.ClinicLink.Tools;

namespace MynaTerminal.Cli.Tests;

/// <summary>
/// Faults end to end: the real <c>mynaterm simulate</c> as a child process publishing to a private mosquitto, the
/// reference gateway counting what arrives. Whatever happens — the broker away for a while, the terminal killed
/// with SIGKILL while a verification is committed but not acknowledged, a verification delivered twice — the
/// gateway ends with every committed verification exactly once, and none lost.
/// </summary>
public sealed class FaultTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(2);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void SkipIfNoMosquitto()
    {
        if (!PrivateMosquitto.IsInstalled)
        {
            Assert.Skip($"mosquitto is not installed ({PrivateMosquitto.DefaultExecutable}); install the Debian package 'mosquitto'.");
        }
    }

    /// <summary>The simulator against an external broker, fast: short reconnects, eligibility timing out in 2 s.</summary>
    private static MynatermProcess StartSimulator(int port, string terminalId, string screens, params string[] arguments) =>
        MynatermProcess.Start(
            ["simulate", "--broker", "127.0.0.1", "--screens", screens, "--wait-subscriber", "0", "--verbose", .. arguments],
            new Dictionary<string, string>
            {
                ["MYNATERM_ClinicLink__Port"] = port.ToString(CultureInfo.InvariantCulture),
                ["MYNATERM_ClinicLink__TerminalId"] = terminalId,
                ["MYNATERM_ClinicLink__ReconnectDelay"] = "00:00:00.100",
                ["MYNATERM_ClinicLink__MaxReconnectDelay"] = "00:00:00.500",
                ["MYNATERM_ClinicLink__UndeliveredRetryDelay"] = "00:00:00.200",
                ["MYNATERM_ClinicLink__OperationTimeout"] = "00:00:03",
                ["MYNATERM_ClinicLink__KeepAlive"] = "00:00:02",
                ["MYNATERM_Session__WarningLead"] = "00:00:01",
                ["MYNATERM_Session__Timeouts__Eligibility"] = "00:00:02",
            });

    /// <summary>The gateway and the ids it accepted, awaitable by count.</summary>
    private sealed class Counter
    {
        private readonly ConcurrentQueue<Guid> _ids = new();
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];

        public Counter(ClinicGateway gateway) => gateway.Accepted += entry =>
        {
            _ids.Enqueue(entry.Id);
            lock (_waiters)
            {
                foreach (var waiter in _waiters.Where(w => _ids.Count >= w.Count))
                {
                    waiter.Done.TrySetResult();
                }
            }
        };

        public IReadOnlyList<Guid> Ids => [.. _ids];

        public Task AtLeastAsync(int count)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_waiters)
            {
                if (_ids.Count >= count)
                {
                    return Task.CompletedTask;
                }

                _waiters.Add((count, done));
            }

            return done.Task.WaitAsync(Long, Ct);
        }
    }

    private static async Task<(ClinicGateway Gateway, Counter Counter, StringWriter Log)> StartGatewayAsync(int port, string store)
    {
        var log = new StringWriter();
        var gateway = new ClinicGateway(new ClinicGatewayOptions { Port = port, StorePath = store, ReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromMilliseconds(500) }, log);
        var counter = new Counter(gateway);
        await gateway.StartAsync(Ct);
        await gateway.WaitUntilConnectedAsync(Ct).WaitAsync(Long, Ct);
        return (gateway, counter, log);
    }

    private static async Task<IReadOnlyList<Guid>> PendingAsync(string outboxPath)
    {
        using var outbox = new SqliteVerificationOutbox(outboxPath);
        return [.. (await outbox.PeekPendingAsync(1000, Ct)).Select(i => i.Id)];
    }

    [Fact]
    public async Task The_broker_stopped_for_a_while_and_restarted_loses_no_verification_and_counts_none_twice()
    {
        SkipIfNoMosquitto();
        var port = SimulateEndToEndTests.FreePort();
        var work = Directory.CreateTempSubdirectory("mynaterm-fault-").FullName;
        await using var broker = PrivateMosquitto.CreatePlain(port, persistence: true, directory: PrivateMosquitto.NewDirectory());
        await broker.StartAsync(Ct);
        var (gateway, counter, log) = await StartGatewayAsync(port, Path.Combine(work, "gateway.db"));
        await using var _ = gateway;
        var screens = Path.Combine(work, "screens");

        await using var terminal = StartSimulator(port, "fault-outage", screens, "--patients", "pin,face,pin,face", "--exit");
        await counter.AtLeastAsync(1);

        // The broker goes away (orderly: it keeps the gateway's session) while two more patients finish.
        await broker.StopAsync();
        await terminal.WaitForAsync(_ => terminal.QueuedIds.Count >= 3, Long, Ct);
        Assert.Single(counter.Ids);

        await broker.StartAsync(Ct);
        Assert.Equal(0, await terminal.WaitForExitAsync(Long, Ct)); // --exit waits until its outbox is empty
        var committed = terminal.QueuedIds;
        Assert.Equal(4, committed.Count);
        await counter.AtLeastAsync(committed.Count);

        Assert.Equal(committed.Order(), gateway.Store.AcceptedIds().Order());
        Assert.Equal(committed.Count, log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(0, gateway.RejectedCount);
        Assert.Empty(await PendingAsync(Path.Combine(screens, "outbox.db")));
    }

    [Fact]
    public async Task A_terminal_killed_between_commit_and_puback_resends_after_restart_and_the_gateway_counts_each_once()
    {
        SkipIfNoMosquitto();
        var port = SimulateEndToEndTests.FreePort();
        var work = Directory.CreateTempSubdirectory("mynaterm-fault-").FullName;
        await using var broker = PrivateMosquitto.CreatePlain(port);
        await broker.StartAsync(Ct);
        var (gateway, counter, log) = await StartGatewayAsync(port, Path.Combine(work, "gateway.db"));
        await using var _ = gateway;
        var screens = Path.Combine(work, "screens");
        var outbox = Path.Combine(screens, "outbox.db");

        // Run 1: patients come; once the gateway has one, the broker freezes (SIGSTOP): it neither reads nor
        // acknowledges, so the next verification is committed and sent, but its PUBACK never comes.
        IReadOnlyList<Guid> beforeKill;
        await using (var first = StartSimulator(port, "fault-kill", screens, "--patients", "pin,face,pin,face", "--once"))
        {
            await counter.AtLeastAsync(1);
            broker.Pause();
            var queuedAtPause = first.QueuedIds.Count;
            await first.WaitForAsync(_ => first.QueuedIds.Count > queuedAtPause, Long, Ct); // committed while frozen
            await first.KillHardAsync(); // SIGKILL: no goodbye, no bookkeeping
            beforeKill = first.QueuedIds;
        }

        var pending = await PendingAsync(outbox);
        Assert.NotEmpty(pending); // committed, not acknowledged: still in the outbox
        broker.Resume();

        // Run 2 on the same folder (same outbox, same device key): it sends what is pending, then exits.
        await using (var second = StartSimulator(port, "fault-kill", screens, "--patients", "pulled", "--exit"))
        {
            Assert.Equal(0, await second.WaitForExitAsync(Long, Ct));
            Assert.Empty(second.QueuedIds); // the pulled card commits nothing
        }

        var expected = beforeKill.Union(pending).ToHashSet();
        await counter.AtLeastAsync(expected.Count);
        var accepted = gateway.Store.AcceptedIds();
        Assert.Equal(expected.Order(), accepted.Order()); // none lost, nothing made up
        Assert.Equal(accepted.Count, accepted.Distinct().Count()); // each once
        Assert.Equal(accepted.Count, log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(0, gateway.RejectedCount); // the replayed ones carry valid signatures of the same key
        Assert.Empty(await PendingAsync(outbox));
        TestContext.Current.TestOutputHelper?.WriteLine($"accepted {accepted.Count}, pending at the kill {pending.Count}, duplicates seen {gateway.DuplicateCount}");
    }
}
