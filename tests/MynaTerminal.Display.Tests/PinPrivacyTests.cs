using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using E = MynaTerminal.Core.Session.SessionEvent;

namespace MynaTerminal.Display.Tests;

/// <summary>Drives a real <see cref="PatientSession"/> through PIN entry and checks every screen it leads to.</summary>
public sealed class PinPrivacyTests
{
    private readonly FakeTimeProvider _clock = new(Snapshots.Now);
    private readonly PatientSession _session;

    public PinPrivacyTests() => _session = new PatientSession(new SessionOptions(), _clock);

    [Theory]
    [InlineData("ja")]
    [InlineData("en")]
    public void Pin_screens_never_show_an_entered_digit(string language)
    {
        // Digits chosen apart from every tries-left count (3, 2, 1) the screens legitimately show.
        const string pin = "5768";
        var screens = new List<Screen>();
        void Show() => screens.Add(ScreenComposer.Compose(_session.Snapshot));

        InsertCard();
        _session.Handle(new E.LanguageSelected(language));
        _session.Handle(new E.MethodChosen(MethodOption.Pin));
        Assert.Equal(SessionPhase.Pin, _session.Phase);
        Show();

        // Wrong twice, then the last try is warned about before it is used.
        foreach (var triesLeftAfter in new[] { 2, 1 })
        {
            Enter(pin, Show);
            Send(new E.PinSubmit());
            _session.Handle(new E.PinVerifyCompleted(_session.Snapshot.SessionId!.Value, new PinOutcome.Wrong(triesLeftAfter)));
            Show();
        }

        Enter(pin, Show);
        Send(new E.PinSubmit());
        Assert.True(_session.Snapshot.PinLastTryPending);
        Show();

        Assert.Contains(screens, s => s.Id == ScreenIds.PinLastTry);
        Assert.Contains(screens, s => s.Lines[0] == "●●●○");
        foreach (var screen in screens)
        {
            var visible = screen.Title + "\n" + string.Join("\n", screen.Lines);
            foreach (var digit in pin)
            {
                Assert.DoesNotContain(digit, visible);
            }

            // Buttons do not depend on the PIN either: the keypad labels are the fixed 0–9.
            foreach (var button in screen.Buttons.Where(b => !ActionIds.IsKeypad(b.Id)))
            {
                foreach (var digit in pin)
                {
                    Assert.DoesNotContain(digit, button.Label);
                }
            }
        }
    }

    [Fact]
    public void Two_different_pins_of_the_same_length_give_identical_screens()
    {
        InsertCard();
        _session.Handle(new E.MethodChosen(MethodOption.Pin));
        foreach (var c in "1111")
        {
            _session.Handle(new E.PinDigit(c - '0'));
        }

        var first = ScreenComposer.Compose(_session.Snapshot);
        _session.Handle(new E.Back());
        _session.Handle(new E.MethodChosen(MethodOption.Pin));
        foreach (var c in "9999")
        {
            _session.Handle(new E.PinDigit(c - '0'));
        }

        var second = ScreenComposer.Compose(_session.Snapshot);
        Assert.Equal(first, second, ScreenEquality.Instance);
        Assert.Equal("●●●●", second.Lines[0]);
    }

    private void InsertCard()
    {
        _session.Handle(new E.CardInserted(ReaderRole.CardTray));
        var certificate = new CertificateInfo("0A1B2C", Snapshots.Now.AddYears(3), "CN=Test JPKI (TEST)", new byte[] { 0x30, 0x00 });
        var card = new CardSnapshot(CardKind.Card, certificate, new PinStatus.Ready(3), HasFacePhoto: true);
        _session.Handle(new E.CardReadCompleted(_session.Snapshot.SessionId!.Value, new CardReadOutcome.Read(card)));
        Assert.Equal(SessionPhase.MethodChoice, _session.Phase);
    }

    private void Enter(string digits, Action afterEach)
    {
        foreach (var c in digits)
        {
            Send(new E.PinDigit(c - '0'));
            afterEach();
        }
    }

    /// <summary>Sends an event and disposes any PIN the session hands out for VERIFY.</summary>
    private void Send(SessionEvent e)
    {
        foreach (var effect in _session.Handle(e))
        {
            if (effect is SessionEffect.VerifyPin verify)
            {
                verify.Pin.Dispose();
            }
        }
    }
}
