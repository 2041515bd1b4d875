using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Panel.Rendering;

/// <summary>
/// The screen the patient sees right now and where its buttons are, shared by the panel (which publishes it after
/// every frame) and the inputs that need it: touch hit-testing and the language button. Thread-safe: readers get
/// one consistent snapshot.
/// </summary>
public sealed class CurrentScreen
{
    /// <summary>Action id of a hardware button or key that presses the screen's next language button.</summary>
    public const string NextLanguage = "lang:next";

    private Snapshot? _snapshot;

    /// <summary>The latest published screen; null before the first frame.</summary>
    public Screen? Screen => Volatile.Read(ref _snapshot)?.Screen;

    /// <summary>Frame size of the latest screen (0 × 0 before the first frame).</summary>
    public (int Width, int Height) Size => Volatile.Read(ref _snapshot) is { } s ? (s.Width, s.Height) : (0, 0);

    /// <summary>The buttons of the latest screen with their rectangles.</summary>
    public IReadOnlyList<ButtonBounds> Buttons => Volatile.Read(ref _snapshot)?.Buttons ?? [];

    /// <summary>Records what the panel has just shown.</summary>
    public void Publish(Screen screen, int width, int height, IReadOnlyList<ButtonBounds> buttons)
    {
        ArgumentNullException.ThrowIfNull(screen);
        ArgumentNullException.ThrowIfNull(buttons);
        Volatile.Write(ref _snapshot, new Snapshot(screen, width, height, buttons.ToArray()));
    }

    /// <summary>The id of the button under (<paramref name="x"/>, <paramref name="y"/>), or null.</summary>
    public string? HitTest(float x, float y)
    {
        foreach (var button in Buttons)
        {
            if (button.Contains(x, y))
            {
                return button.Id;
            }
        }

        return null;
    }

    /// <summary>
    /// Turns <see cref="NextLanguage"/> into the current screen's language button: the first language button after the
    /// screen's own language in <paramref name="cycle"/> (wrapping round), else the screen's first language button.
    /// Null when the screen has none. Any other id is returned unchanged.
    /// </summary>
    public string? Resolve(string actionId, IReadOnlyList<string> cycle)
    {
        ArgumentNullException.ThrowIfNull(actionId);
        if (actionId != NextLanguage)
        {
            return actionId;
        }

        var screen = Screen;
        if (screen is null)
        {
            return null;
        }

        var offered = screen.Buttons.Where(b => b.Id.StartsWith(ActionIds.LanguagePrefix, StringComparison.Ordinal))
            .Select(b => b.Id[ActionIds.LanguagePrefix.Length..]).ToArray();
        if (offered.Length == 0)
        {
            return null;
        }

        var start = IndexOf(cycle, screen.Language);
        if (start >= 0)
        {
            for (var step = 1; step <= cycle.Count; step++)
            {
                var candidate = cycle[(start + step) % cycle.Count];
                if (Array.IndexOf(offered, candidate) >= 0)
                {
                    return ActionIds.Language(candidate);
                }
            }
        }

        return ActionIds.Language(offered[0]);
    }

    private static int IndexOf(IReadOnlyList<string> list, string value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (string.Equals(list[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private sealed record Snapshot(Screen Screen, int Width, int Height, ButtonBounds[] Buttons);
}
