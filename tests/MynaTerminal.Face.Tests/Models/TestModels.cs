using System.Security.Cryptography;
using MynaTerminal.Face.Models;

namespace MynaTerminal.Face.Tests.Models;

/// <summary>Made-up model files (random bytes with their pins) for store, fetcher and CLI tests.</summary>
public static class TestModels
{
    public static (ModelFile Model, byte[] Bytes) Make(string id, int size = 200_000, bool inDefaultSet = true, ModelRole role = ModelRole.Detector)
    {
        var bytes = new byte[size];
        new Random(id.GetHashCode(StringComparison.Ordinal) ^ size).NextBytes(bytes);
        var model = new ModelFile(id, $"{id}.onnx", role, size, Convert.ToHexStringLower(SHA256.HashData(bytes)),
            new Uri($"https://example.invalid/pinned/{id}.onnx"), "test licence", inDefaultSet, $"test model {id}");
        return (model, bytes);
    }

    /// <summary>The same length, one byte flipped.</summary>
    public static byte[] Corrupt(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        copy[copy.Length / 2] ^= 0x5A;
        return copy;
    }
}
