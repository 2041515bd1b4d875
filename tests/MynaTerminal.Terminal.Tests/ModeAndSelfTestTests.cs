using Microsoft.Extensions.DependencyInjection;
using MynaTerminal.ClinicLink;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;
using MynaTerminal.Simulation;
using MynaTerminal.Terminal.Tests.Support;

namespace MynaTerminal.Terminal.Tests;

/// <summary>request/mode and request/selftest as the clinic link hands them to the session loop.</summary>
public sealed class ModeAndSelfTestTests
{
    private static readonly TimeSpan Generous = TerminalHarness.Generous;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Out_of_service_goes_through_the_session_shows_its_screen_and_automatic_takes_cards_again()
    {
        await using var terminal = await TerminalHarness.StartAsync();

        var reply = await terminal.Link.SendAsync(new ClinicControl.SetMode(TerminalMode.OutOfService), Ct);

        Assert.Equal(TerminalMode.OutOfService, reply.Mode);
        Assert.Equal(SessionPhase.OutOfService, reply.Phase);
        var outOfService = await terminal.WaitForPhaseAsync(SessionPhase.OutOfService);
        Assert.Equal("out-of-service", ScreenComposer.Compose(outOfService).Id);
        await terminal.Link.Modes.WaitForAsync(m => m == TerminalMode.OutOfService, Generous, Ct);
        await terminal.Link.States.WaitForAsync(s => s.Phase == SessionPhase.OutOfService, Generous, Ct);

        reply = await terminal.Link.SendAsync(new ClinicControl.SetMode(TerminalMode.Automatic), Ct);
        Assert.Equal((TerminalMode.Automatic, SessionPhase.Idle), (reply.Mode, reply.Phase));
        await terminal.WaitForPhaseAsync(SessionPhase.Idle);
        await terminal.Link.Modes.WaitForAsync(m => m == TerminalMode.Automatic, Generous, Ct);

        await terminal.PlayAsync("insert normal\nwait MethodChoice 20");
        Assert.Equal(
            [SessionPhase.Idle, SessionPhase.OutOfService, SessionPhase.Idle, SessionPhase.Reading, SessionPhase.MethodChoice],
            terminal.Phases);
        Assert.Empty(terminal.Link.Verifications.Items);
    }

    [Fact]
    public async Task Staff_mode_sends_the_next_patient_to_the_visual_check_and_the_terminal_returns_to_automatic_by_itself()
    {
        await using var terminal = await TerminalHarness.StartAsync();

        var reply = await terminal.Link.SendAsync(new ClinicControl.SetMode(TerminalMode.Staff), Ct);
        Assert.Equal((TerminalMode.Staff, SessionPhase.Idle), (reply.Mode, reply.Phase));
        await terminal.Link.Modes.WaitForAsync(m => m == TerminalMode.Staff, Generous, Ct);

        await terminal.PlayAsync("insert normal\nwait StaffVisual 20");
        await terminal.Link.Alerts.WaitForAsync(a => a.Kind == AlertKind.VisualCheckNeeded, Generous, Ct);

        // Staff approve over MQTT; the patient consents; the clinic answers.
        await terminal.Link.Commands.Writer.WriteAsync(new ClinicCommand.StaffVisualApproval(), Ct);
        await terminal.PlayAsync("wait Consent 20\nconsent all\nwait Eligibility 20");
        var verification = Assert.Single(terminal.Link.Verifications.Items);
        Assert.Equal(IdentityMethod.Visual, verification.Method);
        await terminal.Link.Commands.Writer.WriteAsync(new ClinicCommand.Eligibility(new EligibilityAnswer(verification.Id, EligibilityStatus.Valid, null, [])), Ct);
        await terminal.WaitForPhaseAsync(SessionPhase.Done);

        terminal.Reader.Remove();
        var idle = await terminal.WaitForPhaseAsync(SessionPhase.Idle);
        Assert.Equal(TerminalMode.Automatic, idle.Mode);
        await terminal.Link.Modes.WaitForAsync(m => m == TerminalMode.Automatic, Generous, Ct);
        Assert.Equal([TerminalMode.Automatic, TerminalMode.Staff, TerminalMode.Automatic], terminal.Link.Modes.Items);

        // The next patient chooses again.
        await terminal.PlayAsync("insert normal\nwait MethodChoice 20");
    }

    [Fact]
    public async Task A_selftest_reports_the_card_reader_the_display_and_every_registered_check_and_changes_nothing()
    {
        var display = new SwitchableDisplay();
        await using var terminal = await TerminalHarness.StartAsync(configure: services =>
        {
            services.AddSingleton<IDisplay>(display);
            services.AddSingleton<ISelfTestCheck>(new FixedCheck("outbox", ok: true));
            services.AddSingleton<ISelfTestCheck>(new ThrowingCheck("clinicLink"));
        });
        var before = terminal.Snapshots.Count;

        var reply = await terminal.Link.SendAsync(new ClinicControl.SelfTest(), Ct);

        var checks = reply.Checks!;
        Assert.Equal(["cardReader", "display", "outbox", "clinicLink"], checks.Select(c => c.Name));
        Assert.True(checks[0].Ok, checks[0].Detail);
        Assert.Contains("no card", checks[0].Detail, StringComparison.Ordinal);
        Assert.True(checks[1].Ok, checks[1].Detail);
        Assert.Equal("redrew 'idle'", checks[1].Detail);
        Assert.True(checks[2].Ok);
        Assert.False(checks[3].Ok);
        Assert.Equal("broker gone", checks[3].Detail);
        Assert.Equal((TerminalMode.Automatic, SessionPhase.Idle), (reply.Mode, reply.Phase));
        Assert.Equal(before, terminal.Snapshots.Count); // the session did not move

        // A display that fails is reported, and the card in the reader is seen.
        display.Fail = true;
        await terminal.PlayAsync("insert normal\nwait MethodChoice 20");
        checks = (await terminal.Link.SendAsync(new ClinicControl.SelfTest(), Ct)).Checks!;
        Assert.False(checks[1].Ok);
        Assert.Equal("panel unplugged", checks[1].Detail);
        Assert.Contains("a card is in it", checks[0].Detail, StringComparison.Ordinal);
        Assert.Equal(SessionPhase.MethodChoice, terminal.Monitor.Current.Phase);
    }

    private sealed class SwitchableDisplay : IDisplay
    {
        public volatile bool Fail;

        public Task ShowAsync(Screen screen, CancellationToken cancellationToken) =>
            Fail ? Task.FromException(new IOException("panel unplugged")) : Task.CompletedTask;
    }

    private sealed class FixedCheck(string name, bool ok) : ISelfTestCheck
    {
        public string Name => name;

        public Task<SelfTestResult> RunAsync(CancellationToken cancellationToken) => Task.FromResult(new SelfTestResult(name, ok, "fine"));
    }

    private sealed class ThrowingCheck(string name) : ISelfTestCheck
    {
        public string Name => name;

        public Task<SelfTestResult> RunAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("broker gone");
    }
}
