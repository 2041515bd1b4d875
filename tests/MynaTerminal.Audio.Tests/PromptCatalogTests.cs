using System.Globalization;
using MynaTerminal.Display;

namespace MynaTerminal.Audio.Tests;

public sealed class PromptCatalogTests
{
    private static readonly PromptCatalog Catalog = PromptCatalog.FromScreenTexts();

    [Fact]
    public void Every_screen_id_has_a_prompt_in_every_language_of_the_text_resources()
    {
        Assert.Equal(ScreenTexts.Languages, Catalog.Languages);
        Assert.Contains("en", Catalog.Languages);
        Assert.Empty(Catalog.Problems);
        var ids = PromptCatalog.KnownScreenIds();
        Assert.Contains(ScreenIds.Pin, ids);
        Assert.Contains("failed-card-unreadable", ids);
        Assert.DoesNotContain(ScreenIds.FailedPrefix, ids);
        foreach (var language in ScreenTexts.Languages)
        {
            foreach (var id in ids)
            {
                var prompt = Catalog.Find(id, language);
                Assert.True(prompt is not null, $"no prompt for {id} in {language}");
                Assert.Equal(PromptCatalog.SpeechKey(id), prompt.SourceKey);
            }
        }
    }

    [Fact]
    public void Every_screen_the_composer_makes_has_a_prompt()
    {
        foreach (var language in ScreenTexts.Languages)
        {
            var screens = Screens.All(language).ToArray();
            Assert.Contains(screens, s => s.Id == ScreenIds.ConsentCategory);
            foreach (var screen in screens)
            {
                Assert.True(Catalog.Find(screen.Id, screen.Language) is not null, $"no prompt for composed screen {screen.Id} in {screen.Language}");
            }
        }
    }

    [Fact]
    public void The_title_fallback_is_the_title_the_composer_shows()
    {
        var checkedTitles = 0;
        foreach (var language in ScreenTexts.Languages)
        {
            var texts = ScreenTexts.For(language);
            foreach (var screen in Screens.All(language))
            {
                var key = PromptCatalog.TitleKey(screen.Id);
                Assert.True(key is not null, $"no title key for {screen.Id}");
                if (!texts[key].Contains('{'))
                {
                    Assert.Equal(screen.Title, texts[key]);
                    checkedTitles++;
                }
            }
        }

        Assert.True(checkedTitles > 20);
    }

    [Fact]
    public void No_prompt_has_a_digit_or_a_placeholder()
    {
        Assert.NotEmpty(Catalog.Prompts);
        foreach (var prompt in Catalog.Prompts)
        {
            Assert.DoesNotContain(prompt.Text, c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.DecimalDigitNumber);
            Assert.DoesNotContain('{', prompt.Text);
            Assert.Null(PromptCatalog.CheckSpeakable(prompt.Text));
            Assert.DoesNotContain('\n', prompt.Text);
        }
    }

    [Fact]
    public void The_greeting_name_on_the_done_screen_never_reaches_its_prompt()
    {
        foreach (var language in ScreenTexts.Languages)
        {
            var screen = Screens.DoneWithName(language);
            // The screen does carry the name: otherwise this test would prove nothing.
            Assert.Contains(screen.Lines, l => l.Contains(Screens.GreetingName, StringComparison.Ordinal));
            var prompt = Catalog.Find(screen.Id, screen.Language)!;
            Assert.DoesNotContain("山田", prompt.Text, StringComparison.Ordinal);
            Assert.DoesNotContain("太郎", prompt.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(screen.Lines, l => prompt.Text.Contains(l, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_PIN_screens_prompts_speak_no_digit_although_the_screens_show_some()
    {
        foreach (var language in ScreenTexts.Languages)
        {
            var screen = Screens.Pin(digits: 3, language);
            Assert.Contains(screen.Lines, l => l.Any(char.IsAsciiDigit)); // 残り3回 / 3 tries left
            Assert.Contains(screen.Buttons, b => b.Label == "7");            // the keypad
            foreach (var id in new[] { ScreenIds.Pin, ScreenIds.PinLastTry })
            {
                var prompt = Catalog.Find(id, language)!;
                Assert.DoesNotContain(prompt.Text, char.IsDigit);
                Assert.DoesNotContain("●", prompt.Text, StringComparison.Ordinal);
            }
        }
    }

    [Theory]
    [InlineData("{0}様 確認が完了しました", "placeholder")]
    [InlineData("暗証番号は1234です", "digit")]
    [InlineData("暗証番号は１２３４です", "digit")]
    [InlineData("   ", "empty")]
    public void A_speech_text_that_could_carry_personal_data_or_digits_is_refused(string text, string why)
    {
        var tables = Tables(("xx", new() { ["speech.done"] = text, ["done.title"] = "確認が完了しました" }));
        var catalog = PromptCatalog.Create(tables, [ScreenIds.Done]);
        Assert.Null(catalog.Find(ScreenIds.Done, "xx")); // never falls back to the title either: the resource is wrong
        var problem = Assert.Single(catalog.Problems);
        Assert.Equal(ScreenIds.Done, problem.ScreenId);
        Assert.Contains(why, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_speech_keys_a_language_falls_back_to_titles_that_are_speakable()
    {
        var en = ScreenTexts.For("en");
        var table = en.Keys.Where(k => !k.StartsWith(PromptCatalog.SpeechKeyPrefix, StringComparison.Ordinal)).ToDictionary(k => k, k => en[k]);
        var catalog = PromptCatalog.Create(Tables(("xx", table)));

        var idle = catalog.Find(ScreenIds.Idle, "xx");
        Assert.NotNull(idle);
        Assert.Equal(en["idle.title"], idle.Text);
        Assert.Equal("idle.title", idle.SourceKey);
        Assert.Equal(en["failed.CardUnreadable.title"], catalog.Find("failed-card-unreadable", "xx")?.Text);
        // "Enter your 4-digit PIN" has a digit, and the category title has a placeholder: no prompt, a problem each.
        Assert.Null(catalog.Find(ScreenIds.Pin, "xx"));
        Assert.Null(catalog.Find(ScreenIds.ConsentCategory, "xx"));
        Assert.Contains(catalog.Problems, p => p.ScreenId == ScreenIds.Pin && p.Message.Contains("digit", StringComparison.Ordinal));
        Assert.Contains(catalog.Problems, p => p.ScreenId == ScreenIds.ConsentCategory && p.Message.Contains("placeholder", StringComparison.Ordinal));
    }

    [Fact]
    public void New_languages_and_screens_come_from_the_resources()
    {
        var catalog = PromptCatalog.Create(Tables(
            ("ja", new() { ["speech.idle"] = "カードを置いてください。" }),
            ("ko", new() { ["speech.idle"] = "카드를 올려 주세요.", ["speech.face-preview"] = "카메라를 봐 주세요." })),
            [ScreenIds.Idle]);

        Assert.Equal(["ja", "ko"], catalog.Languages);
        Assert.Equal([ScreenIds.Idle, "face-preview"], catalog.ScreenIds);
        Assert.Equal("카메라를 봐 주세요.", catalog.Find("face-preview", "ko")?.Text);
        // ja has no text for the new screen (and no title to fall back on): reported, not invented.
        Assert.Contains(catalog.Problems, p => p is { ScreenId: "face-preview", Language: "ja" });
    }

    [Fact]
    public void A_screen_id_that_is_not_a_safe_file_name_gets_no_prompt()
    {
        var catalog = PromptCatalog.Create(Tables(("ja", new() { ["speech.../etc/passwd"] = "だめです" })), []);
        Assert.Empty(catalog.Prompts);
        Assert.Contains("safe file name", Assert.Single(catalog.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Texts_are_spoken_on_one_line_and_hashed()
    {
        var catalog = PromptCatalog.Create(Tables(("ja", new() { ["speech.idle"] = "  カードを\n置いて  ください。 " })), [ScreenIds.Idle]);
        var prompt = catalog.Find(ScreenIds.Idle, "ja")!;
        Assert.Equal("カードを 置いて ください。", prompt.Text);
        Assert.Equal("ja/idle.wav", prompt.RelativeFile);
        Assert.Equal(64, prompt.TextSha256.Length);
        Assert.NotEqual(prompt.TextSha256, (prompt with { Text = prompt.Text + "。" }).TextSha256);
    }

    internal static Dictionary<string, IReadOnlyDictionary<string, string>> Tables(params (string Language, Dictionary<string, string> Texts)[] tables) =>
        tables.ToDictionary(t => t.Language, t => (IReadOnlyDictionary<string, string>)t.Texts, StringComparer.Ordinal);
}
