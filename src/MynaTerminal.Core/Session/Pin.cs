using System.Security.Cryptography;

namespace MynaTerminal.Core.Session;

/// <summary>
/// The patient's 4-digit PIN while it travels from the keypad to the card's VERIFY.
/// It never prints itself, cannot be serialised by accident, and is wiped when disposed.
/// Whoever sends the VERIFY disposes it.
/// </summary>
public sealed class Pin : IDisposable
{
    public const int Length = 4;
    private readonly byte[] _ascii;
    private bool _disposed;

    private Pin(byte[] ascii) => _ascii = ascii;

    /// <summary>Builds a PIN from exactly four digits 0–9.</summary>
    public static Pin FromDigits(ReadOnlySpan<int> digits)
    {
        if (digits.Length != Length)
        {
            throw new ArgumentException($"A PIN has {Length} digits.", nameof(digits));
        }

        var ascii = new byte[Length];
        for (var i = 0; i < Length; i++)
        {
            if (digits[i] is < 0 or > 9)
            {
                throw new ArgumentOutOfRangeException(nameof(digits), "PIN digits are 0-9.");
            }

            ascii[i] = (byte)('0' + digits[i]);
        }

        return new Pin(ascii);
    }

    /// <summary>Copies the ASCII bytes the card expects into <paramref name="destination"/>. Clear it after use.</summary>
    public void CopyAsciiTo(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _ascii.CopyTo(destination);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_ascii);
            _disposed = true;
        }
    }

    public override string ToString() => "Pin(****)";
}
