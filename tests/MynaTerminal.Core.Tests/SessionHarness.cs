using Microsoft.Extensions.Time.Testing;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using E = MynaTerminal.Core.Session.SessionEvent;

namespace MynaTerminal.Core.Tests;

/// <summary>Drives a <see cref="PatientSession"/> with a fake clock and records every effect.</summary>
internal sealed class SessionHarness
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 9, 0, 0, TimeSpan.FromHours(9));

    public FakeTimeProvider Clock { get; } = new(Start);
    public SessionOptions Options { get; }
    public PatientSession Session { get; }
    public List<SessionEffect> Effects { get; } = [];
    public IReadOnlyList<SessionEffect> Last { get; private set; } = [];

    public SessionHarness(Action<SessionOptions>? configure = null)
    {
        Options = new SessionOptions();
        configure?.Invoke(Options);
        Session = new PatientSession(Options, Clock);
    }

    public SessionPhase Phase => Session.Phase;
    public SessionSnapshot Snapshot => Session.Snapshot;
    public Guid Id => Session.Snapshot.SessionId ?? Guid.Empty;

    public IReadOnlyList<SessionEffect> Send(SessionEvent e)
    {
        Last = Session.Handle(e);
        Effects.AddRange(Last);
        return Last;
    }

    /// <summary>Moves the clock the way the runner does: a Tick at each wake-up time that falls in the span.</summary>
    public void Advance(TimeSpan span)
    {
        var until = Clock.GetUtcNow() + span;
        while (Session.NextWakeUp is { } wake && wake <= until)
        {
            if (wake > Clock.GetUtcNow())
            {
                Clock.SetUtcNow(wake);
            }

            Send(new E.Tick());
        }

        Clock.SetUtcNow(until);
    }

    public static CertificateInfo Certificate(DateTimeOffset notAfter) =>
        new("0A1B2C", notAfter, "CN=Test JPKI User Authentication CA (TEST)", new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 });

    public static CardSnapshot PlasticCard(PinStatus? pin = null, bool face = true, DateTimeOffset? notAfter = null) =>
        new(CardKind.Card, Certificate(notAfter ?? Start.AddYears(3)), pin ?? new PinStatus.Ready(3), face);

    /// <summary>Card in, read completes: ends on whatever the card leads to.</summary>
    public void InsertCard(CardSnapshot card)
    {
        Send(new E.CardInserted(ReaderRole.CardTray));
        Send(new E.CardReadCompleted(Id, new CardReadOutcome.Read(card)));
    }

    public void EnterPin(string digits)
    {
        foreach (var c in digits)
        {
            Send(new E.PinDigit(c - '0'));
        }

        Send(new E.PinSubmit());
    }

    public T Single<T>() where T : SessionEffect => Assert.Single(Effects.OfType<T>());
}
