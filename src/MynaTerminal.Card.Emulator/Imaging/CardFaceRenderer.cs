using System.Globalization;
using MynaTerminal.Card.Data;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Card.Emulator.Imaging;

/// <summary>A rectangle in pixels.</summary>
public readonly record struct PixelRectangle(int X, int Y, int Width, int Height);

/// <summary>Where the rendered card face shows what 照合番号B is made of (for OCR work and its tests).</summary>
/// <param name="BirthDigits">Birth date, Japanese-era <c>YYMMDD</c> (6 digits).</param>
/// <param name="ExpiryYearDigits">Card expiry year <c>YYYY</c> (4 digits).</param>
/// <param name="SecurityCodeDigits">セキュリティコード (4 digits).</param>
/// <param name="Photo">The printed photo.</param>
public sealed record CardFaceLayout(PixelRectangle BirthDigits, PixelRectangle ExpiryYearDigits, PixelRectangle SecurityCodeDigits, PixelRectangle Photo);

/// <summary>A rendered card face: greyscale pixels, the layout, and the 照合番号B it shows.</summary>
public sealed class CardFaceImage(GreyImage image, CardFaceLayout layout, string matchingNumberB)
{
    public GreyImage Image { get; } = image;

    public CardFaceLayout Layout { get; } = layout;

    /// <summary>The 14 digits an ideal OCR would read: birth (era YYMMDD) + expiry year + security code.</summary>
    public string MatchingNumberB { get; } = matchingNumberB;

    /// <summary>As the card-face camera delivers it (BGR).</summary>
    public FaceImage ToFaceImage(string? simulationTag = null) => Image.ToFaceImage(simulationTag);
}

/// <summary>
/// Draws a simple synthetic card face (ID-1 proportions, 480×302) with the 5×7 font: name and address in Latin
/// letters, birth date as era <c>YYMMDD</c> with the era's name, expiry date, security code, and the photo. Not a
/// likeness of the real card's design; the digits are large and clean so OCR work can start from them.
/// </summary>
public static class CardFaceRenderer
{
    public const int Width = 480;
    public const int Height = 302;
    private const int DigitScale = 3;

    public static CardFaceImage Render(VirtualCardPersona persona, GreyImage? photo)
    {
        ArgumentNullException.ThrowIfNull(persona);
        var image = new GreyImage(Width, Height);
        image.Fill(236);
        image.FillRectangle(0, 0, Width, 3, 90);
        image.FillRectangle(0, Height - 3, Width, 3, 90);
        image.FillRectangle(0, 0, 3, Height, 90);
        image.FillRectangle(Width - 3, 0, 3, Height, 90);

        BitmapFont5x7.DrawText(image, 16, 14, "MY NUMBER CARD  TEST", 2, 60);
        BitmapFont5x7.DrawText(image, 16, 50, "NAME", 1, 110);
        BitmapFont5x7.DrawText(image, 16, 62, persona.RomanizedName, 2, 20);
        BitmapFont5x7.DrawText(image, 16, 92, "ADDRESS", 1, 110);
        BitmapFont5x7.DrawText(image, 16, 104, persona.RomanizedAddress, 1, 20);

        var era = persona.Kind == VirtualCardKind.NotMyNumberCard ? "" : EraName(persona.BirthDate);
        BitmapFont5x7.DrawText(image, 16, 128, "BIRTH " + era, 1, 110);
        var birth = Digits(image, 16, 140, persona.BirthDateKey);

        var expiryYear = persona.CardExpiry.Year.ToString("D4", CultureInfo.InvariantCulture);
        BitmapFont5x7.DrawText(image, 16, 176, "EXPIRY", 1, 110);
        var expiry = Digits(image, 16, 188, expiryYear);
        BitmapFont5x7.DrawText(image, expiry.X + expiry.Width + 6, 188 + 7, persona.CardExpiry.ToString(".MM.dd", CultureInfo.InvariantCulture), 2, 20);

        BitmapFont5x7.DrawText(image, 16, 224, "CODE", 1, 110);
        var code = Digits(image, 16, 236, persona.SecurityCode);

        var photoArea = new PixelRectangle(360, 50, photo?.Width ?? 96, photo?.Height ?? 120);
        if (photo is not null)
        {
            image.Draw(photo, photoArea.X, photoArea.Y);
        }
        else
        {
            image.FillRectangle(photoArea.X, photoArea.Y, photoArea.Width, photoArea.Height, 200);
        }

        return new CardFaceImage(image, new CardFaceLayout(birth, expiry, code, photoArea), persona.MatchingNumberB);
    }

    private static PixelRectangle Digits(GreyImage image, int x, int y, string digits)
    {
        BitmapFont5x7.DrawText(image, x, y, digits, DigitScale, 10);
        return new PixelRectangle(x, y, BitmapFont5x7.MeasureWidth(digits, DigitScale), BitmapFont5x7.GlyphHeight * DigitScale);
    }

    private static string EraName(DateOnly birthDate) => JapaneseEra.ToEra(birthDate).Letter switch
    {
        'R' => "REIWA",
        'H' => "HEISEI",
        'S' => "SHOWA",
        'T' => "TAISHO",
        _ => "MEIJI",
    };
}
