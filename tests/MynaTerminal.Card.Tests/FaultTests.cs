using MynaTerminal.Card.Emulator;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Card.Tests;

public sealed class FaultTests(ITestOutputHelper output)
{
    private static CancellationToken Ct => ReaderHarness.Ct;

    /// <summary>How many APDUs a path sends on a fault-free card.</summary>
    private static async Task<int> CountAsync(string persona, Func<ReaderHarness, VirtualCard, Task> path)
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create(persona);
        await h.InsertAsync(card);
        await path(h, card);
        return card.CommandCount;
    }

    private static async Task PinPathAsync(ReaderHarness h, VirtualCard card)
    {
        if (await h.Reader.ReadAsync(Ct) is CardReadOutcome.Read)
        {
            Assert.IsType<PinOutcome.Verified>(await h.Reader.VerifyPinAsync(Pin.FromDigits([1, 2, 3, 4]), Ct));
        }
    }

    private static async Task FacePathAsync(ReaderHarness h, VirtualCard card)
    {
        if (await h.Reader.ReadAsync(Ct) is CardReadOutcome.Read)
        {
            Assert.True(MatchingNumberB.TryCreate(card.Persona.MatchingNumberB, DateTimeOffset.UtcNow, out var number));
            Assert.IsType<FacePhotoOutcome.Photo>(await h.Reader.ReadFacePhotoAsync(number!, Ct));
        }
    }

    [Fact]
    public async Task Card_pulled_after_every_APDU_of_the_PIN_path()
    {
        var total = await CountAsync("normal", PinPathAsync);
        for (var n = 0; n < total; n++)
        {
            await using var h = new ReaderHarness();
            var card = VirtualCard.Create("normal");
            card.Faults.PullAfterCommands = n;
            await h.InsertAsync(card);

            var read = await h.Reader.ReadAsync(Ct);
            string outcome;
            if (read is CardReadOutcome.Read)
            {
                var pin = await h.Reader.VerifyPinAsync(Pin.FromDigits([1, 2, 3, 4]), Ct);
                var failed = Assert.IsType<PinOutcome.Failed>(pin);
                Assert.Equal("card removed", failed.Detail);
                outcome = $"Read, then {pin}";
            }
            else
            {
                Assert.IsType<CardReadOutcome.Removed>(read);
                outcome = read.ToString();
            }

            Assert.False(card.IsPowered);
            Assert.Null(h.Reader.LastProof);
            Assert.True(card.CommandCount <= n, $"pulled after {n}, but {card.CommandCount} commands arrived");
            output.WriteLine($"pulled after {n,2}: {outcome}");
        }
    }

    [Fact]
    public async Task Card_pulled_after_every_APDU_of_the_face_path()
    {
        var total = await CountAsync("normal", FacePathAsync);
        for (var n = 0; n < total; n++)
        {
            await using var h = new ReaderHarness();
            var card = VirtualCard.Create("normal");
            card.Faults.PullAfterCommands = n;
            await h.InsertAsync(card);

            var read = await h.Reader.ReadAsync(Ct);
            if (read is CardReadOutcome.Read)
            {
                Assert.True(MatchingNumberB.TryCreate(card.Persona.MatchingNumberB, DateTimeOffset.UtcNow, out var number));
                var photo = await h.Reader.ReadFacePhotoAsync(number!, Ct);
                Assert.Equal("card removed", Assert.IsType<FacePhotoOutcome.Failed>(photo).Detail);
            }
            else
            {
                Assert.IsType<CardReadOutcome.Removed>(read);
            }

            Assert.False(card.IsPowered);
            Assert.True(card.CommandCount <= n);
            Assert.InRange(card.TriesLeft(CardApplication.CardFace, 0x0012), 10, 10);
        }
    }

    [Fact]
    public async Task The_first_command_after_power_answering_6F00_is_retried_once()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("normal");
        card.Faults.FirstCommandAfterPowerOnFails = true;
        Assert.IsType<CardReadOutcome.Read>(await h.InsertAndReadAsync(card));
        Assert.Equal(2, card.AuditLog.Count(e => e.SelectedApplication == CardApplication.Jpki || (e.IsSelect && e.Status.Value == 0x6F00)));
        Assert.Equal(0x6F00, card.AuditLog[0].Status.Value);
    }

    [Fact]
    public async Task A_6F00_anywhere_else_is_a_clear_error()
    {
        for (var n = 2; n <= 8; n++)
        {
            await using var h = new ReaderHarness();
            var card = VirtualCard.Create("normal");
            card.Faults.InternalErrorOnCommand = n;
            var unreadable = Assert.IsType<CardReadOutcome.Unreadable>(await h.InsertAndReadAsync(card));
            Assert.Contains("6F 00", unreadable.Detail, StringComparison.Ordinal);
            output.WriteLine($"6F 00 on command {n}: {unreadable.Detail}");
        }

        await using var twice = new ReaderHarness();
        var stubborn = VirtualCard.Create("normal");
        stubborn.Faults.FirstCommandAfterPowerOnFails = true;
        stubborn.Faults.InternalErrorOnCommand = 2; // the retry fails too
        Assert.IsType<CardReadOutcome.Unreadable>(await twice.InsertAndReadAsync(stubborn));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task A_response_truncated_below_its_status_word_is_a_clear_error_on_every_command(int length)
    {
        var total = await CountAsync("normal", async (h, c) => await h.Reader.ReadAsync(Ct));
        for (var n = 1; n <= total; n++)
        {
            await using var h = new ReaderHarness();
            var card = VirtualCard.Create("normal");
            card.Faults.TruncateResponseOfCommand = n;
            card.Faults.TruncatedLength = length;
            var unreadable = Assert.IsType<CardReadOutcome.Unreadable>(await h.InsertAndReadAsync(card));
            Assert.Contains("truncated response", unreadable.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_response_truncated_inside_its_data_is_a_clear_error()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("normal");
        card.Faults.TruncateResponseOfCommand = 2; // the token label: 8 of 32 bytes + 2 label bytes as "status"
        card.Faults.TruncatedLength = 10;
        var unreadable = Assert.IsType<CardReadOutcome.Unreadable>(await h.InsertAndReadAsync(card));
        Assert.Contains("EF 0006", unreadable.Detail, StringComparison.Ordinal);
        Assert.Contains("truncated or corrupted", unreadable.Detail, StringComparison.Ordinal);
        output.WriteLine(unreadable.Detail);
    }

    [Fact]
    public async Task Truncated_face_path_responses_fail_cleanly()
    {
        var total = await CountAsync("normal", FacePathAsync);
        for (var n = 9; n <= total; n++)
        {
            await using var h = new ReaderHarness();
            var card = VirtualCard.Create("normal");
            card.Faults.TruncateResponseOfCommand = n;
            card.Faults.TruncatedLength = 1;
            Assert.IsType<CardReadOutcome.Read>(await h.InsertAndReadAsync(card));
            Assert.True(MatchingNumberB.TryCreate(card.Persona.MatchingNumberB, DateTimeOffset.UtcNow, out var number));
            var failed = Assert.IsType<FacePhotoOutcome.Failed>(await h.Reader.ReadFacePhotoAsync(number!, Ct));
            Assert.Contains("truncated", failed.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_slow_card_still_reads()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("normal");
        card.Faults.ResponseDelay = TimeSpan.FromMilliseconds(15);
        var started = DateTimeOffset.UtcNow;
        Assert.IsType<CardReadOutcome.Read>(await h.InsertAndReadAsync(card));
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromMilliseconds(15 * 8));
    }

    [Fact]
    public async Task Cancelling_a_read_of_a_slow_card_propagates_and_leaves_no_session()
    {
        await using var h = new ReaderHarness();
        var card = VirtualCard.Create("normal");
        card.Faults.ResponseDelay = TimeSpan.FromSeconds(30);
        await h.InsertAsync(card);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(100));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Reader.ReadAsync(cancel.Token));
        Assert.IsType<PinOutcome.Failed>(await h.Reader.VerifyPinAsync(Pin.FromDigits([1, 2, 3, 4]), Ct));
    }
}
