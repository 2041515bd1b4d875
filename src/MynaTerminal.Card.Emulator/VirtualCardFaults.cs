namespace MynaTerminal.Card.Emulator;

/// <summary>
/// Faults to inject into a virtual card. Command numbers count from 1 since the card was last inserted
/// (<see cref="VirtualCard.NoteInserted"/>). Settable at any time; read by the card and by the terminals.
/// </summary>
public sealed class VirtualCardFaults
{
    /// <summary>The card is pulled after answering this many commands (0: pulled before the first).</summary>
    public int? PullAfterCommands { get; set; }

    /// <summary>The first command after every power-on answers 6F 00 (the quirk soltia48 measured).</summary>
    public bool FirstCommandAfterPowerOnFails { get; set; }

    /// <summary>This command (1-based) answers 6F 00 instead of being processed.</summary>
    public int? InternalErrorOnCommand { get; set; }

    /// <summary>The response to this command (1-based) is cut to <see cref="TruncatedLength"/> bytes.</summary>
    public int? TruncateResponseOfCommand { get; set; }

    /// <summary>How many bytes of a truncated response arrive (fewer than 2 = not even a status word).</summary>
    public int TruncatedLength { get; set; } = 1;

    /// <summary>A slow card: every response is delayed this long by the terminal / vpcd client.</summary>
    public TimeSpan ResponseDelay { get; set; }

    /// <summary>iPhone: the owner declines Face ID, so COMPUTE DIGITAL SIGNATURE answers 69 85.</summary>
    public bool PhoneDeclines { get; set; }
}
