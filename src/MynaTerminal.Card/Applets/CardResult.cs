using MynaTerminal.Card.Apdu;

namespace MynaTerminal.Card.Applets;

/// <summary>Why a card operation did not complete.</summary>
public enum CardFaultKind
{
    /// <summary>The card left the reader.</summary>
    Removed,
    /// <summary>The reader or service failed, or the answer was malformed (truncated).</summary>
    Transport,
    /// <summary>The <see cref="ApduGuard"/> refused a command (a bug in the caller: nothing was sent).</summary>
    Refused,
    /// <summary>The card answered an unexpected status word.</summary>
    Status,
    /// <summary>The card's data is malformed or does not verify.</summary>
    BadData,
    /// <summary>The terminal is not configured for this operation (e.g. no 券面 trust anchor).</summary>
    Configuration,
}

/// <summary>A fault with a message fit for logs (never contains a PIN, 照合番号 or personal data).</summary>
public sealed record CardFault(CardFaultKind Kind, string Detail, StatusWord? StatusWord = null)
{
    public override string ToString() => $"{Kind}: {Detail}";
}

/// <summary>A value or a <see cref="CardFault"/>.</summary>
public sealed class CardResult<T>
{
    private readonly T? _value;

    private CardResult(T? value, CardFault? fault)
    {
        _value = value;
        Fault = fault;
    }

    public CardFault? Fault { get; }

    public bool IsOk => Fault is null;

    public T Value => IsOk ? _value! : throw new InvalidOperationException($"No value: {Fault}");

    public static CardResult<T> Ok(T value) => new(value, null);

    public static CardResult<T> Fail(CardFault fault) => new(default, fault ?? throw new ArgumentNullException(nameof(fault)));

    public static implicit operator CardResult<T>(CardFault fault) => Fail(fault);

    public override string ToString() => IsOk ? $"Ok({_value})" : $"Fault({Fault})";
}
