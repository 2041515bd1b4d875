using System.Diagnostics.CodeAnalysis;

namespace MynaTerminal.Card.Apdu;

/// <summary>A response APDU: data followed by SW1 SW2.</summary>
public sealed class ResponseApdu
{
    public ResponseApdu(ReadOnlyMemory<byte> data, StatusWord statusWord)
    {
        Data = data;
        StatusWord = statusWord;
    }

    public ReadOnlyMemory<byte> Data { get; }

    public StatusWord StatusWord { get; }

    public bool IsSuccess => StatusWord.IsSuccess;

    /// <summary>Splits raw response bytes; false when fewer than the two status bytes arrived.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out ResponseApdu? response)
    {
        if (bytes.Length < 2)
        {
            response = null;
            return false;
        }

        response = new ResponseApdu(bytes[..^2].ToArray(), new StatusWord(bytes[^2], bytes[^1]));
        return true;
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Data.Length + 2];
        Data.Span.CopyTo(bytes);
        bytes[^2] = StatusWord.Sw1;
        bytes[^1] = StatusWord.Sw2;
        return bytes;
    }

    public override string ToString() => $"{Data.Length} bytes, {StatusWord}";
}
