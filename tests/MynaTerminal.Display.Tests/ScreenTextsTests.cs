using System.Text.RegularExpressions;

namespace MynaTerminal.Display.Tests;

public sealed partial class ScreenTextsTests
{
    [Fact]
    public void Japanese_and_English_are_available_with_Japanese_first()
    {
        Assert.Equal("ja", ScreenTexts.Languages[0]);
        Assert.Contains("en", ScreenTexts.Languages);
    }

    [Fact]
    public void The_six_patient_languages_are_available()
    {
        Assert.Equal(["ja", "en", "ja-easy", "ko", "vi", "zh-Hans"], ScreenTexts.Languages);
        foreach (var language in ScreenTexts.Languages)
        {
            Assert.Equal(language, ScreenTexts.For(language).Language);
            // Every language has its spoken prompts too (the audio guidance reads speech.* keys).
            Assert.Contains(ScreenTexts.For(language).Keys, k => k.StartsWith("speech.", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Every_language_has_exactly_the_keys_of_Japanese()
    {
        var ja = ScreenTexts.For("ja").Keys.Order(StringComparer.Ordinal).ToArray();
        foreach (var language in ScreenTexts.Languages)
        {
            var keys = ScreenTexts.For(language).Keys.Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(ja, keys);
        }
    }

    [Fact]
    public void Every_text_has_the_same_placeholders_in_every_language()
    {
        var ja = ScreenTexts.For("ja");
        foreach (var language in ScreenTexts.Languages)
        {
            var texts = ScreenTexts.For(language);
            foreach (var key in ja.Keys)
            {
                Assert.False(string.IsNullOrWhiteSpace(texts[key]), $"{language}:{key} is empty");
                Assert.True(Placeholders(ja[key]).SetEquals(Placeholders(texts[key])), $"{language}:{key} placeholders differ from ja");
            }
        }
    }

    [Fact]
    public void A_missing_key_throws_instead_of_showing_nothing()
    {
        var error = Assert.Throws<KeyNotFoundException>(() => ScreenTexts.For("en")["no.such.key"]);
        Assert.Contains("no.such.key", error.Message);
        Assert.Throws<KeyNotFoundException>(() => ScreenTexts.For("ja").Format("no.such.key", 1));
    }

    [Theory]
    [InlineData("ja", "ja")]
    [InlineData("en", "en")]
    [InlineData("EN", "en")]
    [InlineData("en-US", "en")]
    [InlineData("fr", "ja")]
    [InlineData("zh-Hans", "zh-Hans")]
    [InlineData("ZH-HANS", "zh-Hans")]
    [InlineData("zh-CN", "zh-Hans")]
    [InlineData("zh", "zh-Hans")]
    [InlineData("ko-KR", "ko")]
    [InlineData("vi_VN", "vi")]
    [InlineData("ja-easy", "ja-easy")]
    [InlineData("", "ja")]
    [InlineData(null, "ja")]
    public void Unknown_languages_fall_back_to_Japanese(string? requested, string expected) =>
        Assert.Equal(expected, ScreenTexts.For(requested).Language);

    [Fact]
    public void Format_fills_placeholders_with_the_invariant_culture()
    {
        Assert.Equal("残り2回", ScreenTexts.For("ja").Format("pin.triesLeft", 2));
        Assert.Equal("2026年3月5日", ScreenTexts.For("ja").Format("format.date", new DateTimeOffset(2026, 3, 5, 0, 0, 0, TimeSpan.FromHours(9))));
        Assert.Equal("5 March 2026", ScreenTexts.For("en").Format("format.date", new DateTimeOffset(2026, 3, 5, 0, 0, 0, TimeSpan.FromHours(9))));
    }

    private static HashSet<string> Placeholders(string text) =>
        PlaceholderPattern().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"\{(\d+)[^}]*\}")]
    private static partial Regex PlaceholderPattern();
}
