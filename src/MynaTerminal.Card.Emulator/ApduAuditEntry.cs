using MynaTerminal.Card.Apdu;

namespace MynaTerminal.Card.Emulator;

/// <summary>
/// One command the virtual card received, with the card's state when it arrived and what it addressed. Secrets are
/// masked: the data of VERIFY / CHANGE REFERENCE DATA / CHANGE KEY is kept only as its length (bytes set to '*').
/// </summary>
/// <param name="Sequence">1-based number of the command in the card's life.</param>
/// <param name="Application">The application selected when the command arrived (None at MF level).</param>
/// <param name="CurrentFile">The current EF when the command arrived.</param>
/// <param name="Target">The EF or key the command addressed (SELECT EF, READ BINARY in either form, VERIFY, the signing key); null otherwise.</param>
/// <param name="SelectedApplication">For SELECT by AID: the application it named (null when none matched).</param>
/// <param name="Status">The status word the card answered.</param>
public sealed record ApduAuditEntry(
    int Sequence,
    byte Cla,
    byte Ins,
    byte P1,
    byte P2,
    ReadOnlyMemory<byte> Data,
    int? ExpectedLength,
    CardApplication Application,
    ushort? CurrentFile,
    ushort? Target,
    CardApplication? SelectedApplication,
    StatusWord Status)
{
    public bool IsSelect => Cla == 0x00 && Ins == CardConstants.Ins.Select;

    public bool IsReadBinary => Cla == 0x00 && Ins == CardConstants.Ins.ReadBinary;

    public bool IsVerify => Cla == 0x00 && Ins == CardConstants.Ins.Verify;

    /// <summary>A VERIFY that carried a secret (not the empty counter query).</summary>
    public bool IsVerifyWithData => IsVerify && Data.Length > 0;

    public bool IsSignature => Cla == 0x80 && Ins == CardConstants.Ins.ComputeDigitalSignature;

    /// <summary>True when this command addressed EF/key <paramref name="fileId"/> of <paramref name="application"/>.</summary>
    public bool Touches(CardApplication application, ushort fileId) => Application == application && Target == fileId;

    public override string ToString()
    {
        var text = $"#{Sequence} {Cla:X2} {Ins:X2} {P1:X2} {P2:X2}";
        if (Data.Length > 0)
        {
            text += $" Lc={Data.Length}";
        }

        if (ExpectedLength is { } ne)
        {
            text += $" Le={ne}";
        }

        var where = Application.ToString() + (Target is { } t ? $"/{t:X4}" : string.Empty);
        if (SelectedApplication is { } selected)
        {
            where += $" → {selected}";
        }

        return $"{text} [{where}] → {Status}";
    }
}
