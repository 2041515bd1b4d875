using System.ComponentModel.DataAnnotations;
using MynaTerminal.Card.Emulator;

namespace MynaTerminal.Card.Tests;

public sealed class CardOptionsTests
{
    [Fact]
    public void Defaults_are_valid_and_conservative()
    {
        var options = new CardOptions();
        options.ValidateOrThrow();
        Assert.Equal(3, options.MinimumMatchingNumberTries);
        Assert.False(options.ReadBasicFourInformation);
        Assert.Null(options.CardFaceTrustAnchorPath);
        Assert.Equal("Card", CardOptions.SectionName);
    }

    [Theory]
    [InlineData(0, 5, 1000, 32, null)]
    [InlineData(11, 5, 1000, 32, null)]
    [InlineData(3, 0, 1000, 32, null)]
    [InlineData(3, 5, 60000, 32, null)]
    [InlineData(3, 5, 1000, 8, null)]
    [InlineData(3, 5, 1000, 32, "/nonexistent/anchor.pem")]
    public void Bad_values_are_refused(int minimumTries, int attempts, int delayMs, int nonce, string? anchor)
    {
        var options = new CardOptions
        {
            MinimumMatchingNumberTries = minimumTries,
            ConnectAttempts = attempts,
            ConnectRetryDelay = TimeSpan.FromMilliseconds(delayMs),
            NonceLength = nonce,
            CardFaceTrustAnchorPath = anchor,
        };
        Assert.Throws<ValidationException>(options.ValidateOrThrow);
        Assert.Throws<ValidationException>(() => new MyNumberCardReader(new VirtualCardTerminal(), options));
    }
}
