using MynaTerminal.Display;
using SkiaSharp;

namespace MynaTerminal.Panel.Rendering;

/// <summary>A button of a drawn screen and where it is, in frame pixels (from the renderer's <see cref="DisplayLayout"/>).</summary>
public readonly record struct ButtonBounds(string Id, SKRect Bounds)
{
    /// <summary>The buttons of a layout, in the screen's order.</summary>
    public static IReadOnlyList<ButtonBounds> From(DisplayLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return layout.Buttons.Select(b => new ButtonBounds(b.Id, b.Bounds.ToSKRect())).ToArray();
    }

    /// <summary>True when (<paramref name="x"/>, <paramref name="y"/>) lies inside the button (left and top edges included).</summary>
    public bool Contains(float x, float y) =>
        x >= Bounds.Left && x < Bounds.Right && y >= Bounds.Top && y < Bounds.Bottom;
}
