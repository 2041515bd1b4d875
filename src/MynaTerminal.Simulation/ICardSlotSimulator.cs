namespace MynaTerminal.Simulation;

/// <summary>
/// The card slot as the simulation sees it: scripts put a persona's card in and take it out; the simulated
/// cameras look at it; the simulated clinic knows its holder by the certificate. Implemented by the simple
/// <see cref="SimulatedCardReader"/> and by <see cref="VirtualCardSlot"/> (the APDU-level virtual card).
/// </summary>
public interface ICardSlotSimulator
{
    /// <summary>The persona whose card (or phone) is on the reader.</summary>
    Persona? Current { get; }

    /// <summary>照合番号B printed on the card in the reader, as the card-face camera would see it; null for phones.</summary>
    string? CurrentMatchingNumberB { get; }

    void Insert(Persona persona);

    void Remove();

    /// <summary>The holder of a certificate this simulation issued (what the eligibility system knows).</summary>
    Persona? HolderOf(string certificateSerialNumber);
}
