namespace MynaTerminal.Audio.Tests;

public sealed class TtsVoiceTests
{
    [Theory]
    [InlineData("ja", null, "open_jtalk")]
    [InlineData("ja-x-easy", null, "open_jtalk")]
    [InlineData("en", null, "espeak-ng:en")]
    [InlineData("zh", null, "espeak-ng:cmn")]
    [InlineData("zh-Hans", null, "espeak-ng:cmn")]
    [InlineData("zh_CN", null, "espeak-ng:cmn")]
    [InlineData("ko", null, "espeak-ng:ko")]
    [InlineData("vi", null, "espeak-ng:vi")]
    [InlineData("pt-BR", null, "espeak-ng:pt-br")]
    [InlineData("yue", "espeak-ng:yue", "espeak-ng:yue")]
    [InlineData("en", "espeak-ng:en-us", "espeak-ng:en-us")]
    [InlineData("ja", "espeak-ng", "espeak-ng:ja")]
    [InlineData("xx", "open_jtalk", "open_jtalk")]
    public void Each_language_gets_its_engine_and_voice(string language, string? declared, string expected) =>
        Assert.Equal(expected, TtsVoice.For(language, declared, ["Hello"]).ToString());

    [Fact]
    public void A_table_written_in_kana_is_Japanese_whatever_its_code()
    {
        Assert.Equal(TtsVoice.OpenJTalk, TtsVoice.For("easy", null, ["カードを おいて ください"]));
        Assert.Equal("espeak-ng:cmn", TtsVoice.For("zh-Hans", null, ["请放置个人编号卡"]).ToString());
        Assert.Equal("espeak-ng:ko", TtsVoice.For("ko", null, ["카드를 올려 주세요"]).ToString());
        // An English table that quotes a Japanese document name is still English.
        Assert.Equal("espeak-ng:en-gb", TtsVoice.For("en-GB", null, ["Please place your card", "The insurance information screen of Mynaportal (マイナポータル)"]).ToString());
        Assert.Equal(TtsVoice.OpenJTalk, TtsVoice.For("xx", null, MynaTerminal.Display.ScreenTexts.For("ja").Keys.Select(k => MynaTerminal.Display.ScreenTexts.For("ja")[k])));
        Assert.Equal("espeak-ng:en", TtsVoice.For("en", null, MynaTerminal.Display.ScreenTexts.For("en").Keys.Select(k => MynaTerminal.Display.ScreenTexts.For("en")[k])).ToString());
    }

    [Theory]
    [InlineData("festival")]
    [InlineData("espeak-ng:")]
    [InlineData("espeak-ng:en; rm -rf /")]
    public void A_declared_voice_of_another_form_is_refused(string declared)
    {
        var error = Assert.Throws<FormatException>(() => TtsVoice.For("xx", declared, []));
        Assert.Contains(PromptCatalog.VoiceKey, error.Message, StringComparison.Ordinal);
    }
}
