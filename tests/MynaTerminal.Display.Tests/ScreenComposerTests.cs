using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Display.Tests;

public sealed class ScreenComposerTests
{
    public static TheoryData<string, string> EveryVariantInEveryLanguage()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Snapshots.All.Keys.Order(StringComparer.Ordinal))
        {
            foreach (var language in ScreenTexts.Languages)
            {
                data.Add(name, language);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryVariantInEveryLanguage))]
    public void Every_phase_and_variant_composes_in_every_language(string variant, string language)
    {
        var screen = ScreenComposer.Compose(Snapshots.All[variant] with { Language = language });

        Assert.Equal(language, screen.Language);
        Assert.Matches("^[a-z0-9-]+$", screen.Id);
        Assert.False(string.IsNullOrWhiteSpace(screen.Title));
        Assert.All(screen.Lines, line => Assert.False(string.IsNullOrWhiteSpace(line)));
        Assert.All(screen.Buttons, button => Assert.False(string.IsNullOrWhiteSpace(button.Label)));
        Assert.Equal(screen.Buttons.Count, screen.Buttons.Select(b => b.Id).Distinct().Count());

        // No unfilled placeholder and no raw key on screen.
        var text = screen.ToPlainText();
        Assert.DoesNotContain("{", text);
        Assert.DoesNotMatch(@"\b[a-z]+\.[a-zA-Z]+(\.[a-zA-Z]+)*\b", screen.Title);

        // Idle: a button to every other language; elsewhere one to the next. Each labelled in its own language.
        var languageButtons = screen.Buttons.Where(b => b.Id.StartsWith("lang:", StringComparison.Ordinal)).ToArray();
        var expected = Snapshots.All[variant].Phase == SessionPhase.Idle ? ScreenTexts.Languages.Count - 1 : 1;
        Assert.Equal(expected, languageButtons.Length);
        foreach (var button in languageButtons)
        {
            Assert.Equal(ScreenTexts.For(button.Id["lang:".Length..])["language.name"], button.Label);
        }

        Assert.DoesNotContain(screen.Buttons, b => b.Id == "lang:" + language);
    }

    [Fact]
    public void Composing_is_pure()
    {
        foreach (var snapshot in Snapshots.All.Values)
        {
            Assert.Equal(ScreenComposer.Compose(snapshot), ScreenComposer.Compose(snapshot), ScreenEquality.Instance);
        }
    }

    [Fact]
    public void Idle_shows_how_to_place_the_card_and_the_accepted_documents()
    {
        var screen = Compose("idle");
        Assert.Equal(ScreenIds.Idle, screen.Id);
        Assert.Contains("マイナンバーカード", screen.Title);
        Assert.Contains(screen.Lines, l => l.StartsWith("使えるもの", StringComparison.Ordinal));
        Assert.Equal(ScreenTone.Normal, screen.Tone);
        Assert.DoesNotContain(screen.Lines, l => l.Contains("カードが取り出されました", StringComparison.Ordinal));
    }

    [Fact]
    public void Idle_after_an_early_removal_says_nothing_was_completed()
    {
        var screen = Compose("idle-card-removed-early");
        Assert.Equal("カードが取り出されました。確認は完了していません。", screen.Lines[0]);
        Assert.Equal(ScreenTone.Attention, screen.Tone);
    }

    [Fact]
    public void Reading_asks_not_to_move_the_card()
    {
        var screen = Compose("reading");
        Assert.Equal("読み取り中", screen.Title);
        Assert.Contains("カードを動かさないでください", screen.Lines);
        Assert.Contains(screen.Buttons, b => b.Id == "help" && b.Label == "係員呼出");
    }

    [Fact]
    public void Expiring_certificate_shows_the_date_in_Japan_time_and_where_to_renew()
    {
        var screen = Compose("cert-expiring-soon");
        Assert.Equal("電子証明書の有効期限が近づいています", screen.Title);
        Assert.Contains("有効期限：2026年12月31日", screen.Lines); // 14:59:59 UTC is 23:59:59 JST.
        Assert.Contains("お住まいの市区町村で更新してください", screen.Lines);
        Assert.Equal(ScreenTone.Attention, screen.Tone);
        Assert.Contains(screen.Buttons, b => b.Id == "continue");
    }

    [Fact]
    public void Certificate_in_grace_says_only_eligibility_is_checked()
    {
        var screen = Compose("cert-expired-in-grace");
        Assert.Contains("有効期限が切れています。資格確認のみ行います。診療・お薬の情報は提供されません", screen.Lines);
        Assert.Equal(ScreenTone.Attention, screen.Tone);
    }

    [Fact]
    public void Method_buttons_follow_the_offered_methods()
    {
        var all = Compose("method-all");
        Assert.Equal(["method:face", "method:pin", "method:staff"], ActionIds(all));
        Assert.Equal(["顔認証", "暗証番号", "係員に確認してもらう"], all.Buttons.Take(3).Select(b => b.Label));

        var withoutFace = Compose("method-notice-FaceFailed");
        Assert.Equal(["method:pin", "method:staff"], ActionIds(withoutFace));
    }

    [Theory]
    [InlineData(MethodNotice.FaceFailed, "顔認証ができませんでした")]
    [InlineData(MethodNotice.SpoofSuspected, "顔認証を完了できませんでした")]
    [InlineData(MethodNotice.PinBlocked, "暗証番号はロックされているため使えません（お住まいの市区町村の窓口で解除できます）")]
    [InlineData(MethodNotice.CardFaceUnreadable, "カードの表面を読み取れなかったため、顔認証ができませんでした")]
    public void Method_notices_say_why(MethodNotice notice, string expected)
    {
        var screen = Compose($"method-notice-{notice}");
        Assert.Contains(expected, screen.Lines);
        Assert.Equal(ScreenTone.Attention, screen.Tone);
    }

    [Fact]
    public void Every_face_hint_has_its_own_guidance()
    {
        var hints = Enum.GetValues<FaceHint>().Where(h => h != FaceHint.None).ToArray();
        foreach (var language in ScreenTexts.Languages)
        {
            var lines = hints.Select(h => Compose($"face-hint-{h}", language).Lines.Last()).ToArray();
            Assert.Equal(hints.Length, lines.Distinct().Count());
        }

        var none = Compose("face-hint-None");
        Assert.Equal(["カメラを見てください", "1回目の確認です"], none.Lines);
        Assert.Contains("2回目の確認です", Compose("face-attempt-2").Lines);
    }

    [Fact]
    public void Pin_screen_shows_dots_tries_and_a_keypad()
    {
        var screen = Compose("pin-two-digits");
        Assert.Equal(ScreenIds.Pin, screen.Id);
        Assert.Equal("●●○○", screen.Lines[0]);
        Assert.Contains("残り3回", screen.Lines);
        var ids = screen.Buttons.Select(b => b.Id).ToArray();
        foreach (var digit in Enumerable.Range(0, 10))
        {
            Assert.Contains($"digit:{digit}", ids);
        }

        Assert.Contains("pin:back", ids);
        Assert.Contains("pin:ok", ids);
        Assert.Contains("back", ids);
        Assert.Equal(ScreenTone.Normal, screen.Tone);
    }

    [Fact]
    public void Wrong_pin_says_so_and_shows_the_tries_left()
    {
        var screen = Compose("pin-wrong");
        Assert.Contains("暗証番号が違います。もう一度入力してください", screen.Lines);
        Assert.Contains("残り2回", screen.Lines);
        Assert.Equal(ScreenTone.Attention, screen.Tone);
    }

    [Fact]
    public void Last_try_asks_for_confirmation_without_a_keypad()
    {
        var screen = Compose("pin-last-try");
        Assert.Equal(ScreenIds.PinLastTry, screen.Id);
        Assert.Contains("次に間違えるとロックされます。よろしいですか", screen.Lines);
        Assert.Equal(["pin:confirm-last", "back"], ActionIds(screen));
        Assert.DoesNotContain(screen.Buttons, b => b.Id.StartsWith("digit:", StringComparison.Ordinal));
        Assert.Equal(ScreenTone.Attention, screen.Tone);
    }

    [Fact]
    public void Android_pin_has_no_back_button()
    {
        Assert.DoesNotContain(Compose("pin-android").Buttons, b => b.Id == "back");
    }

    [Fact]
    public void Phone_staff_and_waiting_screens()
    {
        Assert.Contains("Face ID", string.Join("\n", Compose("phone-confirm").Lines));
        var visual = Compose("staff-visual");
        Assert.Equal("係員が確認します", visual.Title);
        Assert.Contains("そのままお待ちください", visual.Lines);
        Assert.DoesNotContain(visual.Buttons, b => b.Id is "help" or "back");
        Assert.Contains(Compose("staff-visual-spoof").Buttons, b => b.Id == "back");
        var help = Compose("staff-help");
        Assert.Equal("係員をお呼びしています", help.Title);
        Assert.DoesNotContain(help.Buttons, b => b.Id == "help");
        Assert.Equal("確認中", Compose("eligibility").Title);
    }

    [Fact]
    public void Consent_first_screen_names_the_categories()
    {
        var screen = Compose("consent");
        Assert.Equal("過去の医療情報等の提供に同意しますか", screen.Title);
        Assert.Equal("【手術・診療／お薬／健診】", screen.Lines[0]);
        Assert.Contains(screen.Buttons, b => b is { Id: "consent:all", Label: "全て同意する" });
        Assert.Contains(screen.Buttons, b => b is { Id: "consent:individual", Label: "個別に同意する" });
    }

    [Fact]
    public void Individual_consent_asks_one_category_at_a_time()
    {
        var screen = Compose("consent-individual-1");
        Assert.Equal(ScreenIds.ConsentCategory, screen.Id);
        Assert.Contains("お薬", screen.Title);
        Assert.DoesNotContain("健診", screen.Title);
        Assert.Equal("2 / 3", screen.Lines[0]);
        Assert.Equal(["consent:yes", "consent:no", "back"], ActionIds(screen));
    }

    [Fact]
    public void Unknown_category_ids_are_shown_as_they_are()
    {
        Assert.Contains("allergy", Compose("consent-unknown-category").Lines[0]);
        Assert.Contains("allergy", Compose("consent-individual-unknown", "en").Title);
    }

    [Fact]
    public void Prescription_form_offers_electronic_and_paper()
    {
        Assert.Equal(["prescription:electronic", "prescription:paper"], ActionIds(Compose("prescription-form")));
    }

    [Fact]
    public void Done_greets_by_name()
    {
        var screen = Compose("done-greeting");
        Assert.Equal(ScreenIds.Done, screen.Id);
        Assert.Equal("山田 太郎様 確認が完了しました。カードを取り出してください", screen.Lines[0]);
        Assert.Equal(ScreenTone.Success, screen.Tone);
        Assert.Contains("山田 太郎", Compose("done-greeting", "en").Lines[0]);
    }

    [Fact]
    public void Done_without_a_name_still_completes()
    {
        var screen = Compose("done-no-name");
        Assert.Equal("確認が完了しました。カードを取り出してください", screen.Lines[0]);
        Assert.DoesNotContain("様", screen.Lines[0]);
    }

    [Fact]
    public void Done_shows_the_clinic_notices_as_given()
    {
        Assert.Contains("電子証明書の有効期限が近づいています。", Compose("done-notices").Lines);
        Assert.Contains("資格確認のみ行いました。診療・お薬の情報は提供されていません", Compose("done-in-grace").Lines);
    }

    [Theory]
    [InlineData("done-invalid")]
    [InlineData("done-not-found")]
    [InlineData("done-missing")]
    [InlineData("phase-Done")]
    public void Done_without_a_valid_answer_sends_to_reception_with_fallbacks(string variant)
    {
        var screen = Compose(variant);
        Assert.Equal(ScreenIds.DoneSeeReception, screen.Id);
        Assert.Equal("受付にお声かけください", screen.Title);
        var text = string.Join("\n", screen.Lines);
        Assert.Contains("資格情報のお知らせ", text);
        Assert.Contains("マイナポータルの資格情報画面", text);
        Assert.Contains("資格確認書", text);
        Assert.Equal(ScreenTone.Attention, screen.Tone);
    }

    [Theory]
    [InlineData(FailureReason.CardUnreadable, "001")]
    [InlineData(FailureReason.NotMyNumberCard, "002")]
    [InlineData(FailureReason.CertificateExpired, "006")]
    [InlineData(FailureReason.NoMethodLeft, null)]
    [InlineData(FailureReason.TimedOut, null)]
    [InlineData(FailureReason.Cancelled, null)]
    [InlineData(FailureReason.DeviceFault, null)]
    public void Failed_screens_explain_and_name_the_fallback_documents(FailureReason reason, string? code)
    {
        var ja = Compose($"failed-{reason}");
        Assert.Equal(ScreenTone.Error, ja.Tone);
        Assert.StartsWith("failed-", ja.Id, StringComparison.Ordinal);
        var text = string.Join("\n", ja.Lines);
        Assert.Contains("受付にお声かけください", text);
        Assert.Contains("資格確認書", text);
        Assert.Contains("被保険者資格申立書", text);
        if (reason != FailureReason.CertificateExpired)
        {
            Assert.Contains("資格情報のお知らせ", text);
            Assert.Contains("マイナポータルの資格情報画面", text);
        }

        var en = string.Join("\n", Compose($"failed-{reason}", "en").Lines);
        if (code is null)
        {
            Assert.DoesNotContain("エラー番号", text);
        }
        else
        {
            Assert.Contains($"エラー番号：{code}", text);
            Assert.Contains($"Error code: {code}", en);
        }
    }

    [Fact]
    public void Failed_with_a_blocked_phone_pin_says_it_is_locked()
    {
        Assert.Contains(Compose("failed-no-method-pin-blocked").Lines, l => l.StartsWith("暗証番号はロックされています", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("cert-warning")]
    [InlineData("method-warning")]
    [InlineData("pin-warning")]
    [InlineData("consent-warning")]
    public void Timeout_warning_comes_first(string variant)
    {
        var screen = Compose(variant);
        Assert.Equal("まもなく時間切れになります。続ける場合は画面に触れてください", screen.Lines[0]);
        Assert.NotEqual(ScreenTone.Normal, screen.Tone);
    }

    [Fact]
    public void English_screens_are_in_English()
    {
        var screen = Compose("method-all", "en");
        Assert.Equal("en", screen.Language);
        Assert.Equal("Choose how to confirm your identity", screen.Title);
        Assert.Contains(screen.Buttons, b => b is { Id: "lang:ja-easy", Label: "やさしい日本語" });
        Assert.Contains(screen.Buttons, b => b is { Id: "help", Label: "Call staff" });
    }

    [Fact]
    public void The_idle_screen_offers_every_language_and_the_session_cycles_through_them()
    {
        var idle = Compose("idle");
        Assert.Equal(
            ScreenTexts.Languages.Where(l => l != "ja").Select(l => "lang:" + l),
            idle.Buttons.Select(b => b.Id).Where(id => id.StartsWith("lang:", StringComparison.Ordinal)));

        // In a session: one button, and pressing it again and again visits every language once and comes back.
        var seen = new List<string>();
        var language = "ja";
        for (var i = 0; i < ScreenTexts.Languages.Count; i++)
        {
            seen.Add(language);
            var button = Assert.Single(Compose("method-all", language).Buttons, b => b.Id.StartsWith("lang:", StringComparison.Ordinal));
            language = button.Id["lang:".Length..];
        }

        Assert.Equal("ja", language);
        Assert.Equal(ScreenTexts.Languages.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_PIN_screen_warns_before_the_last_try()
    {
        Assert.Contains("あと1回間違えると暗証番号がロックされます", Compose("pin-one-try-left").Lines);
        Assert.DoesNotContain("あと1回間違えると暗証番号がロックされます", Compose("pin-wrong").Lines);
    }

    [Fact]
    public void An_unknown_language_gets_Japanese_screens()
    {
        var screen = ScreenComposer.Compose(Snapshots.All["idle"] with { Language = "xx" });
        Assert.Equal("ja", screen.Language);
        Assert.Contains(screen.Buttons, b => b.Id == "lang:en");
    }

    private static Screen Compose(string variant, string language = "ja") =>
        ScreenComposer.Compose(Snapshots.All[variant] with { Language = language });

    private static string[] ActionIds(Screen screen) =>
        screen.Buttons.Select(b => b.Id).Where(id => !Core.Session.ActionIds.IsSystem(id) && !Core.Session.ActionIds.IsKeypad(id)).ToArray();
}

/// <summary>Screens hold lists, so record equality compares references; this compares contents.</summary>
internal sealed class ScreenEquality : IEqualityComparer<Screen>
{
    public static readonly ScreenEquality Instance = new();

    public bool Equals(Screen? x, Screen? y) =>
        x is not null && y is not null
        && x.Id == y.Id && x.Language == y.Language && x.Title == y.Title && x.Tone == y.Tone
        && x.Lines.SequenceEqual(y.Lines) && x.Buttons.SequenceEqual(y.Buttons);

    public int GetHashCode(Screen obj) => HashCode.Combine(obj.Id, obj.Title);
}
