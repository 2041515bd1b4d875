using System.ComponentModel.DataAnnotations;

namespace MynaTerminal.Display;

/// <summary>Configuration of the PNG display (section "Display" of appsettings.json).</summary>
public sealed class DisplayOptions
{
    public const string Section = "Display";

    /// <summary>Folder that receives <c>current.png</c> and the numbered history; created when missing.</summary>
    [Required]
    public string OutputFolder { get; set; } = string.Empty;

    /// <summary>Frame width in pixels (800 × 480 is a common 7-inch DSI / HDMI panel).</summary>
    [Range(160, 4096)]
    public int Width { get; set; } = 800;

    /// <summary>Frame height in pixels.</summary>
    [Range(120, 4096)]
    public int Height { get; set; } = 480;

    /// <summary>Also keep every frame as <c>NNNN-&lt;screenId&gt;.png</c> (simulation, screenshots for docs).</summary>
    public bool KeepHistory { get; set; } = true;

    /// <summary>
    /// A font file to draw with (TTF, OTF or TTC, face index 0). Null: search the system font folders for a
    /// Japanese font (Noto Sans CJK JP, IPAGothic); the face is then chosen per language (Noto Sans CJK KR for ko, SC for
    /// zh-Hans), and fallback fonts draw what the primary lacks.
    /// </summary>
    public string? FontPath { get; set; }

    /// <summary>Every font about 1.3 × larger (text still shrinks to fit the frame): for patients with low vision.</summary>
    public bool LargeText { get; set; }

    /// <summary>White and yellow on black with thick borders: for patients with low vision.</summary>
    public bool HighContrast { get; set; }
}
