using System.Runtime.InteropServices;
using MynaTerminal.Core.Devices;
using SkiaSharp;

namespace MynaTerminal.Display;

/// <summary>The drawn pictures: where to place the card (idle) and the face guide or camera preview (face).</summary>
internal static class Pictograms
{
    /// <summary>
    /// A card reader seen from the front with the card going onto its tray, photo side up (arrow), and beside it a
    /// phone held over the reader's phone mark (radio waves).
    /// </summary>
    public static void DrawCardPlacement(SKCanvas canvas, SKRect area, Palette palette)
    {
        using var panel = PngScreenRenderer.Fill(palette.Picture);
        var r = area.Height * 0.08f;
        canvas.DrawRoundRect(area, r, r, panel);
        var u = Math.Min(area.Width / 15f, area.Height / 10f);
        var stroke = Math.Max(1.5f, u * 0.25f);
        using var ink = PngScreenRenderer.Fill(palette.PictureInk);
        using var line = new SKPaint { Color = palette.PictureInk, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = stroke, StrokeCap = SKStrokeCap.Round };
        using var card = PngScreenRenderer.Fill(palette.Background);

        // Reader: a tray (trapezoid) on a base.
        var cx = area.Left + (area.Width * 0.36f);
        var baseY = area.Top + (area.Height * 0.82f);
        using (var tray = new SKPath())
        {
            tray.MoveTo(cx - (4.6f * u), baseY);
            tray.LineTo(cx + (4.6f * u), baseY);
            tray.LineTo(cx + (3.6f * u), baseY - (1.6f * u));
            tray.LineTo(cx - (3.6f * u), baseY - (1.6f * u));
            tray.Close();
            canvas.DrawPath(tray, line);
        }

        // The card above the tray, photo on the left, and an arrow down onto the tray.
        var cardRect = SKRect.Create(cx - (3.2f * u), area.Top + (1.0f * u), 6.4f * u, 4.0f * u);
        canvas.DrawRoundRect(cardRect, u * 0.4f, u * 0.4f, card);
        canvas.DrawRoundRect(cardRect, u * 0.4f, u * 0.4f, line);
        var photo = SKRect.Create(cardRect.Left + (0.6f * u), cardRect.Top + (0.7f * u), 1.8f * u, 2.4f * u);
        canvas.DrawRect(photo, line);
        canvas.DrawCircle(photo.MidX, photo.Top + (0.8f * u), 0.45f * u, ink);
        canvas.DrawOval(new SKRect(photo.Left + (0.3f * u), photo.Top + (1.4f * u), photo.Right - (0.3f * u), photo.Bottom + (0.3f * u)), ink);
        for (var i = 0; i < 3; i++)
        {
            var y = cardRect.Top + ((1.1f + (i * 0.9f)) * u);
            canvas.DrawLine(cardRect.Left + (3.0f * u), y, cardRect.Right - (0.6f * u), y, line);
        }

        var arrowTop = cardRect.Bottom + (0.5f * u);
        var arrowTip = baseY - (2.0f * u);
        canvas.DrawLine(cx, arrowTop, cx, arrowTip, line);
        using (var head = new SKPath())
        {
            head.MoveTo(cx - (0.7f * u), arrowTip - (0.7f * u));
            head.LineTo(cx, arrowTip);
            head.LineTo(cx + (0.7f * u), arrowTip - (0.7f * u));
            canvas.DrawPath(head, line);
        }

        // Phone with waves, on the right.
        var px = area.Left + (area.Width * 0.8f);
        var phone = SKRect.Create(px - (1.3f * u), area.Top + (2.0f * u), 2.6f * u, 4.6f * u);
        canvas.DrawRoundRect(phone, u * 0.4f, u * 0.4f, card);
        canvas.DrawRoundRect(phone, u * 0.4f, u * 0.4f, line);
        canvas.DrawLine(phone.MidX - (0.4f * u), phone.Bottom - (0.5f * u), phone.MidX + (0.4f * u), phone.Bottom - (0.5f * u), line);
        for (var i = 1; i <= 2; i++)
        {
            var radius = i * 0.8f * u;
            var oval = new SKRect(px - radius, phone.Bottom + (1.6f * u) - radius, px + radius, phone.Bottom + (1.6f * u) + radius);
            canvas.DrawArc(oval, 200, 140, false, line);
        }
    }

    /// <summary>The camera thumbnail scaled into <paramref name="area"/> with the face box, or a face guide outline without one.</summary>
    public static void DrawFacePreview(SKCanvas canvas, SKRect area, FacePreview? preview, Palette palette)
    {
        using var panel = PngScreenRenderer.Fill(palette.Picture);
        var r = Math.Min(area.Width, area.Height) * 0.06f;
        canvas.DrawRoundRect(area, r, r, panel);
        var stroke = Math.Max(2f, Math.Min(area.Width, area.Height) / 60f);
        if (preview is { Width: > 0, Height: > 0 } && preview.Bgr.Length >= preview.Width * preview.Height * 3)
        {
            using var bitmap = ToBitmap(preview);
            var scale = Math.Min(area.Width / preview.Width, area.Height / preview.Height);
            var w = preview.Width * scale;
            var h = preview.Height * scale;
            var dest = SKRect.Create(area.MidX - (w / 2f), area.MidY - (h / 2f), w, h);
            using var image = SKImage.FromBitmap(bitmap);
            canvas.DrawImage(image, dest, new SKSamplingOptions(SKFilterMode.Linear));
            if (preview.Face is { } face)
            {
                using var box = new SKPaint { Color = new SKColor(0x2E, 0xCC, 0x40), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = stroke };
                canvas.DrawRect(SKRect.Create(dest.Left + (face.X * scale), dest.Top + (face.Y * scale), face.Width * scale, face.Height * scale), box);
            }

            return;
        }

        // Face guide: an oval where the face should be, and the camera above it.
        using var guide = new SKPaint { Color = palette.PictureInk, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = stroke, PathEffect = SKPathEffect.CreateDash([stroke * 3, stroke * 2], 0) };
        var ow = area.Width * 0.42f;
        var oh = Math.Min(area.Height * 0.62f, ow * 1.35f);
        canvas.DrawOval(new SKRect(area.MidX - (ow / 2f), area.MidY - (oh / 2f) + (area.Height * 0.06f), area.MidX + (ow / 2f), area.MidY + (oh / 2f) + (area.Height * 0.06f)), guide);
        using var camera = PngScreenRenderer.Fill(palette.PictureInk);
        canvas.DrawCircle(area.MidX, area.Top + (area.Height * 0.08f), Math.Max(2f, area.Height * 0.03f), camera);
    }

    private static SKBitmap ToBitmap(FacePreview preview)
    {
        var bitmap = new SKBitmap(new SKImageInfo(preview.Width, preview.Height, SKColorType.Bgra8888, SKAlphaType.Opaque));
        var source = preview.Bgr.Span;
        var target = MemoryMarshal.Cast<byte, uint>(bitmap.GetPixelSpan());
        for (var i = 0; i < preview.Width * preview.Height; i++)
        {
            var b = source[i * 3];
            var g = source[(i * 3) + 1];
            var r = source[(i * 3) + 2];
            target[i] = 0xFF000000u | ((uint)r << 16) | ((uint)g << 8) | b; // BGRA in memory, little-endian.
        }

        return bitmap;
    }
}
