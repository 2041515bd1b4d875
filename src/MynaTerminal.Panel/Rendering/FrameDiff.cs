namespace MynaTerminal.Panel.Rendering;

/// <summary>Which rows of a frame changed, for partial panel updates.</summary>
public static class FrameDiff
{
    /// <summary>The first and last row that differ; (-1, -1) when the frames are equal.</summary>
    public static (int First, int Last) ChangedRows(ReadOnlySpan<byte> before, ReadOnlySpan<byte> after, int rowBytes)
    {
        var rows = after.Length / rowBytes;
        var first = 0;
        while (first < rows && before.Slice(first * rowBytes, rowBytes).SequenceEqual(after.Slice(first * rowBytes, rowBytes)))
        {
            first++;
        }

        if (first == rows)
        {
            return (-1, -1);
        }

        var last = rows - 1;
        while (last > first && before.Slice(last * rowBytes, rowBytes).SequenceEqual(after.Slice(last * rowBytes, rowBytes)))
        {
            last--;
        }

        return (first, last);
    }
}
