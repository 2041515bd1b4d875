using MynaTerminal.Core.Devices;
using SkiaSharp;

namespace MynaTerminal.Display;

/// <summary>The colours of one frame: by tone, normal or high contrast (all text pairs have a contrast ratio of 4.5 or more).</summary>
internal sealed record Palette(
    SKColor Background,
    SKColor Ink,
    SKColor HeaderFill,
    SKColor HeaderInk,
    SKColor Accent,
    SKColor ButtonFill,
    SKColor ButtonInk,
    SKColor KeyFill,
    SKColor KeyBorder,
    SKColor KeyInk,
    SKColor SystemFill,
    SKColor SystemBorder,
    SKColor SystemInk,
    SKColor Picture,
    SKColor PictureInk)
{
    public static readonly SKColor HighContrastBackground = SKColors.Black;
    public static readonly SKColor HighContrastText = SKColors.White;
    public static readonly SKColor HighContrastAccent = new(0xFF, 0xD7, 0x00);

    public static Palette For(ScreenTone tone, bool highContrast)
    {
        if (highContrast)
        {
            var y = HighContrastAccent;
            return new Palette(
                HighContrastBackground, HighContrastText, HighContrastBackground, y, y,
                HighContrastBackground, HighContrastText, HighContrastBackground, HighContrastText, HighContrastText,
                HighContrastBackground, y, y, new SKColor(0x20, 0x20, 0x20), y);
        }

        // Title bar colour of each tone (white text on it has a contrast ratio above 4.5).
        var accent = tone switch
        {
            ScreenTone.Attention => new SKColor(0x9A, 0x4A, 0x00),
            ScreenTone.Error => new SKColor(0xB3, 0x26, 0x1E),
            ScreenTone.Success => new SKColor(0x1E, 0x6B, 0x34),
            _ => new SKColor(0x1F, 0x4E, 0x8C),
        };
        var ink = new SKColor(0x1A, 0x1A, 0x1A);
        return new Palette(
            new SKColor(0xF7, 0xF7, 0xF5), ink, accent, SKColors.White, accent,
            SKColors.White, accent, SKColors.White, new SKColor(0x6B, 0x72, 0x80), ink,
            new SKColor(0xEC, 0xEF, 0xF4), new SKColor(0x6B, 0x72, 0x80), ink, new SKColor(0xE3, 0xE8, 0xEF), new SKColor(0x1F, 0x4E, 0x8C));
    }
}
