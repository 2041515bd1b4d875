using MynaTerminal.Card.Emulator;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Card.Tests;

/// <summary>APDU counts of the two identity paths, from the card's audit log.</summary>
public sealed class ApduBudgetTests(ITestOutputHelper output)
{
    public const int FacePathBudget = 40;

    [Fact]
    public async Task PIN_and_face_paths_fit_the_budget()
    {
        await using var h = new ReaderHarness();
        var pinCard = VirtualCard.Create("normal");
        Assert.IsType<CardReadOutcome.Read>(await h.InsertAndReadAsync(pinCard));
        var reading = pinCard.AuditLog.Count;
        Assert.IsType<PinOutcome.Verified>(await h.Reader.VerifyPinAsync(Pin.FromDigits([1, 2, 3, 4]), ReaderHarness.Ct));
        var pinPath = pinCard.AuditLog;
        h.Terminal.Remove(VirtualCardTerminal.DefaultCardTrayReader);
        await h.NextPresenceAsync();

        var faceCard = VirtualCard.Create("normal");
        Assert.IsType<CardReadOutcome.Read>(await h.InsertAndReadAsync(faceCard));
        Assert.True(MatchingNumberB.TryCreate(faceCard.Persona.MatchingNumberB, DateTimeOffset.UtcNow, out var number));
        Assert.IsType<FacePhotoOutcome.Photo>(await h.Reader.ReadFacePhotoAsync(number!, ReaderHarness.Ct));
        var facePath = faceCard.AuditLog;

        output.WriteLine($"Reading (SELECT JPKI, token, certificate, PIN counter, 券面AP present): {reading} APDUs");
        output.WriteLine($"PIN path (reading + VERIFY PIN + sign nonce): {pinPath.Count} APDUs");
        output.WriteLine($"Face path (reading + counter + EF 0004 + VERIFY B + EF 0002 of {faceCard.PhotoJp2!.Length}-byte photo): {facePath.Count} APDUs");
        foreach (var entry in facePath)
        {
            output.WriteLine("  " + entry);
        }

        Assert.True(facePath.Count <= FacePathBudget, $"face path took {facePath.Count} APDUs");
        Assert.True(pinPath.Count <= 15, $"PIN path took {pinPath.Count} APDUs");
        Assert.Equal(1, pinPath.Count(e => e.IsVerifyWithData));
        Assert.Equal(1, facePath.Count(e => e.IsVerifyWithData));
    }
}
