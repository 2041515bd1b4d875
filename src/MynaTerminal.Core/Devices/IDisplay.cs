namespace MynaTerminal.Core.Devices;

/// <summary>A button on a screen: an id the input maps back to an event, and its label.</summary>
public sealed record ScreenButton(string Id, string Label);

/// <summary>A composed screen: texts already in the session's language, ready to draw.</summary>
public sealed record Screen(string Id, string Language, string Title, IReadOnlyList<string> Lines, IReadOnlyList<ScreenButton> Buttons, ScreenTone Tone = ScreenTone.Normal)
{
    /// <summary>Plain text for logs and the simulator's console (no personal data is ever on a screen but the greeting name).</summary>
    public string ToPlainText()
    {
        var buttons = Buttons.Count == 0 ? string.Empty : "\n  " + string.Join("  ", Buttons.Select(b => $"[{b.Label}]"));
        return $"{Title}\n" + string.Join("\n", Lines.Select(l => "  " + l)) + buttons;
    }
}

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
