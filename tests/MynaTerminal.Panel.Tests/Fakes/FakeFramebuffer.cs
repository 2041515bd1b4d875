using Microsoft.Win32.SafeHandles;
using MynaTerminal.Panel.Framebuffer;

namespace MynaTerminal.Panel.Tests.Fakes;

/// <summary>
/// A framebuffer standing in: the screen info the test chooses, and a regular file of <c>smem_len</c> bytes as the
/// frame memory (written with positioned writes, as pwrite does on /dev/fbN).
/// </summary>
internal sealed class FakeFramebufferDevice : IFramebufferDevice
{
    private readonly SafeFileHandle _memory;

    public FakeFramebufferDevice(string memoryPath, FbVarScreenInfo variable, FbFixScreenInfo fix)
    {
        Variable = variable;
        Fix = fix;
        MemoryPath = memoryPath;
        _memory = File.OpenHandle(memoryPath, FileMode.Create, FileAccess.ReadWrite);
        RandomAccess.SetLength(_memory, fix.smem_len);
    }

    public FbVarScreenInfo Variable { get; }

    public FbFixScreenInfo Fix { get; }

    public string MemoryPath { get; }

    public int VariableError { get; init; }

    public List<(long Offset, int Length)> Writes { get; } = [];

    public bool Disposed { get; private set; }

    public int GetVariableScreenInfo(out FbVarScreenInfo info)
    {
        info = Variable;
        return VariableError;
    }

    public int GetFixedScreenInfo(out FbFixScreenInfo info)
    {
        info = Fix;
        return 0;
    }

    public int Write(long offset, ReadOnlySpan<byte> data)
    {
        Writes.Add((offset, data.Length));
        RandomAccess.Write(_memory, data, offset);
        return 0;
    }

    public byte[] Memory()
    {
        var bytes = new byte[RandomAccess.GetLength(_memory)];
        RandomAccess.Read(_memory, bytes, 0);
        return bytes;
    }

    public void Dispose()
    {
        Disposed = true;
        _memory.Dispose();
    }

    /// <summary>Screen info like the kernel's for a packed true-colour framebuffer.</summary>
    public static (FbVarScreenInfo, FbFixScreenInfo) Info(int width, int height, int bitsPerPixel, int lineLength, (int Offset, int Length) red, (int Offset, int Length) green, (int Offset, int Length) blue, int xoffset = 0, int yoffset = 0, int extraRows = 0)
    {
        var variable = new FbVarScreenInfo
        {
            xres = (uint)width,
            yres = (uint)height,
            xres_virtual = (uint)(width + xoffset),
            yres_virtual = (uint)(height + yoffset + extraRows),
            xoffset = (uint)xoffset,
            yoffset = (uint)yoffset,
            bits_per_pixel = (uint)bitsPerPixel,
            red = new FbBitfield { offset = (uint)red.Offset, length = (uint)red.Length },
            green = new FbBitfield { offset = (uint)green.Offset, length = (uint)green.Length },
            blue = new FbBitfield { offset = (uint)blue.Offset, length = (uint)blue.Length },
        };
        var fix = new FbFixScreenInfo
        {
            smem_len = (uint)(lineLength * (height + yoffset + extraRows)),
            type = FbConstants.FB_TYPE_PACKED_PIXELS,
            visual = FbConstants.FB_VISUAL_TRUECOLOR,
            line_length = (uint)lineLength,
        };
        return (variable, fix);
    }
}

internal sealed class FakeFramebufferOpener(Func<string, (int Errno, IFramebufferDevice? Device)> open) : IFramebufferOpener
{
    public int Open(string path, out IFramebufferDevice? device)
    {
        (var errno, device) = open(path);
        return errno;
    }
}
