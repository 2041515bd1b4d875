namespace MynaTerminal.Core.Devices;

/// <summary>A button on a screen: an id the input maps back to an event, and its label.</summary>
public sealed record ScreenButton(string Id, string Label);

/// <summary>A composed screen: texts already in the session's language, ready to draw.</summary>
public sealed record Screen(string Id, string Language, string Title, IReadOnlyList<string> Lines, IReadOnlyList<ScreenButton> Buttons, ScreenTone Tone = ScreenTone.Normal)
{
    /// <summary>
    /// The live camera picture for the face screen (a small thumbnail and the detected face box), drawn in the
    /// screen's preview area; null draws the face guide outline instead. Never stored or logged: it lives as long as
    /// the screen object does.
    /// </summary>
    public FacePreview? Preview { get; init; }

    /// <summary>Plain text for logs and the simulator's console (no personal data is ever on a screen but the greeting name).</summary>
    public string ToPlainText()
    {
        var buttons = Buttons.Count == 0 ? string.Empty : "\n  " + string.Join("  ", Buttons.Select(b => $"[{b.Label}]"));
        return $"{Title}\n" + string.Join("\n", Lines.Select(l => "  " + l)) + buttons;
    }
}

/// <summary>
/// A camera thumbnail for the face screen: <paramref name="Width"/> × <paramref name="Height"/> pixels of packed
/// 8-bit BGR (row stride = 3 × width), drawn as given (mirror it before, if the patient should see a mirror), and
/// the face the detector found, in thumbnail pixels (null: no face).
/// </summary>
public sealed record FacePreview(int Width, int Height, ReadOnlyMemory<byte> Bgr, PreviewBox? Face = null);

/// <summary>A rectangle in thumbnail pixels (left, top, width, height).</summary>
public readonly record struct PreviewBox(float X, float Y, float Width, float Height);

public enum ScreenTone
{
    Normal,
    Attention,
    Error,
    Success,
}

/// <summary>The screen in front of the patient (SPI TFT, framebuffer, or PNG files in simulation).</summary>
public interface IDisplay
{
    Task ShowAsync(Screen screen, CancellationToken cancellationToken);
}

/// <summary>Something the patient or staff pressed: a screen button id, a digit key, or a hardware button.</summary>
public sealed record InputAction(string Id);

/// <summary>Touch panel, keypad and buttons (or the simulator's script / web page).</summary>
public interface IInputDevice
{
    IAsyncEnumerable<InputAction> ActionsAsync(CancellationToken cancellationToken);
}
