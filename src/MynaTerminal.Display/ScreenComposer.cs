using System.Text;
using MynaTerminal.Core.Cards;
using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Display;

/// <summary>
/// Turns a <see cref="SessionSnapshot"/> into the <see cref="Screen"/> the patient sees. A pure function: the same
/// snapshot always gives the same screen, and nothing is read but the snapshot and the text tables.
/// </summary>
/// <remarks>
/// The idle screen carries a button for each other language ("lang:en", "lang:ko" …), every other screen one button
/// to the next language (see <see cref="LanguageChoices"/>), and every screen a 係員呼出 button ("help") except where
/// staff are already on their way (StaffVisual, StaffHelp).
/// The PIN screen shows only dots for the number of digits entered: the snapshot holds no digit to show.
/// </remarks>
public static class ScreenComposer
{
    /// <summary>Dates on screen are Japan Standard Time (UTC+9; Japan has no daylight saving).</summary>
    private static readonly TimeSpan JapanStandardTime = TimeSpan.FromHours(9);

    /// <summary>Composes the screen for <paramref name="snapshot"/> in the snapshot's language (ja when it has no texts).</summary>
    /// <exception cref="KeyNotFoundException">A text is missing from the language's table (a bug in the tables).</exception>
    public static Screen Compose(SessionSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var t = ScreenTexts.For(snapshot.Language);
        var draft = snapshot.Phase switch
        {
            SessionPhase.Idle => Idle(snapshot, t),
            SessionPhase.Reading => new Draft(ScreenIds.Reading, t["reading.title"]) { Lines = { t["reading.doNotMove"] } },
            SessionPhase.CertificateNotice => CertificateNotice(snapshot, t),
            SessionPhase.MethodChoice => MethodChoice(snapshot, t),
            SessionPhase.Face => Face(snapshot, t),
            SessionPhase.Pin => snapshot.PinLastTryPending ? PinLastTry(snapshot, t) : Pin(snapshot, t),
            SessionPhase.PhoneConfirm => new Draft(ScreenIds.PhoneConfirm, t["phone.title"]) { Lines = { t["phone.instruction"], t["phone.keep"] } },
            SessionPhase.StaffVisual => StaffVisual(snapshot, t),
            SessionPhase.StaffHelp => new Draft(ScreenIds.StaffHelp, t["staffHelp.title"], ScreenTone.Attention) { Lines = { t["common.pleaseWait"] } },
            SessionPhase.Consent => Consent(snapshot, t),
            SessionPhase.PrescriptionForm => PrescriptionForm(t),
            SessionPhase.Eligibility => new Draft(ScreenIds.Eligibility, t["eligibility.title"]) { Lines = { t["eligibility.checking"] } },
            SessionPhase.Done => Done(snapshot, t),
            SessionPhase.Failed => Failed(snapshot, t),
            SessionPhase.OutOfService => new Draft(ScreenIds.OutOfService, t["outOfService.title"], ScreenTone.Attention)
            {
                Lines = { t["outOfService.doNotPlace"], t["common.askReception"] },
            },
            _ => throw new ArgumentOutOfRangeException(nameof(snapshot), snapshot.Phase, "Unknown session phase."),
        };

        if (snapshot.TimeoutWarning)
        {
            // First line, so it is seen; any touch extends the phase.
            draft.Lines.Insert(0, t["common.timeoutWarning"]);
            if (draft.Tone == ScreenTone.Normal)
            {
                draft.Tone = ScreenTone.Attention;
            }
        }

        if (snapshot.Phase is not (SessionPhase.StaffHelp or SessionPhase.StaffVisual))
        {
            draft.Buttons.Add(new ScreenButton(ActionIds.Help, t["button.help"]));
        }

        foreach (var language in LanguageChoices(snapshot.Phase, t.Language))
        {
            // Each language button is labelled in its own language (English / 日本語 / 한국어 …).
            draft.Buttons.Add(new ScreenButton(ActionIds.Language(language), ScreenTexts.For(language)["language.name"]));
        }

        return new Screen(draft.Id, t.Language, draft.Title, draft.Lines.ToArray(), draft.Buttons.ToArray(), draft.Tone);
    }

    /// <summary>
    /// The language buttons: on the idle screen one for every other language; during a session one button that
    /// moves on to the next language in <see cref="ScreenTexts.Languages"/> order (pressing it again cycles).
    /// </summary>
    public static IReadOnlyList<string> LanguageChoices(SessionPhase phase, string current)
    {
        var languages = ScreenTexts.Languages;
        if (phase == SessionPhase.Idle)
        {
            return languages.Where(l => l != current).ToArray();
        }

        var index = -1;
        for (var i = 0; i < languages.Count; i++)
        {
            if (languages[i] == current)
            {
                index = i;
            }
        }

        var next = languages[(index + 1) % languages.Count];
        return next == current ? [] : [next];
    }

    // ---- phases ------------------------------------------------------------------------------------

    private static Draft Idle(SessionSnapshot s, ScreenTexts t)
    {
        var draft = new Draft(ScreenIds.Idle, t["idle.title"]);
        if (s.IdleNotice == IdleNotice.CardRemovedEarly)
        {
            draft.Lines.Add(t["idle.cardRemovedEarly"]);
            draft.Tone = ScreenTone.Attention;
        }

        draft.Lines.Add(t["idle.placeCard"]);
        draft.Lines.Add(t["idle.phone"]);
        draft.Lines.Add(t["idle.accepted"]);
        draft.Lines.Add(t["idle.otherDocuments"]);
        return draft;
    }

    private static Draft CertificateNotice(SessionSnapshot s, ScreenTexts t)
    {
        var inGrace = s.Expiry == CertificateExpiry.ExpiredInGrace;
        var draft = inGrace
            ? new Draft(ScreenIds.CertificateExpiredInGrace, t["cert.expiredInGrace.title"], ScreenTone.Attention)
            : new Draft(ScreenIds.CertificateExpiringSoon, t["cert.expiringSoon.title"], ScreenTone.Attention);
        if (s.CertificateNotAfter is { } notAfter)
        {
            draft.Lines.Add(t.Format("cert.validUntil", t.Format("format.date", notAfter.ToOffset(JapanStandardTime))));
        }

        if (inGrace)
        {
            // 期限切れ猶予期間: eligibility only, no 診療・薬剤 information shared.
            draft.Lines.Add(t["cert.expiredInGrace.limited"]);
            draft.Lines.Add(t["cert.renew"]);
        }
        else
        {
            draft.Lines.Add(t["cert.renew"]);
            draft.Lines.Add(t["cert.expiringSoon.continue"]);
        }

        draft.Buttons.Add(new ScreenButton(ActionIds.Continue, t["button.continue"]));
        return draft;
    }

    private static Draft MethodChoice(SessionSnapshot s, ScreenTexts t)
    {
        var draft = new Draft(ScreenIds.MethodChoice, t["method.title"]);
        AddMethodNotice(draft, s, t);
        foreach (var method in s.Methods)
        {
            var id = method switch
            {
                MethodOption.Face => ActionIds.MethodFace,
                MethodOption.Pin => ActionIds.MethodPin,
                MethodOption.Staff => ActionIds.MethodStaff,
                _ => throw new ArgumentOutOfRangeException(nameof(s), method, "Unknown identity method."),
            };
            draft.Buttons.Add(new ScreenButton(id, t[$"method.{method}"]));
        }

        return draft;
    }

    private static Draft Face(SessionSnapshot s, ScreenTexts t)
    {
        var draft = new Draft(ScreenIds.Face, t["face.title"]) { Lines = { t["face.lookAtCamera"] } };
        if (s.FaceAttempt > 0)
        {
            draft.Lines.Add(t.Format("face.attempt", s.FaceAttempt));
        }

        if (s.FaceHint != FaceHint.None)
        {
            draft.Lines.Add(t[$"face.hint.{s.FaceHint}"]);
        }

        return draft;
    }

    private static Draft Pin(SessionSnapshot s, ScreenTexts t)
    {
        var draft = new Draft(ScreenIds.Pin, t["pin.title"]) { Lines = { PinDots(s.PinDigitsEntered) } };
        if (s.PinWasWrong)
        {
            draft.Lines.Add(t["pin.wrong"]);
            draft.Tone = ScreenTone.Attention;
        }

        if (s.PinTriesLeft is { } triesLeft)
        {
            draft.Lines.Add(t.Format("pin.triesLeft", triesLeft));
            if (triesLeft == 1)
            {
                // Warn before the last try, not only when it is confirmed.
                draft.Lines.Add(t["pin.oneTryLeft"]);
                draft.Tone = ScreenTone.Attention;
            }
        }

        draft.Lines.Add(t["pin.privacy"]);

        // Keypad in telephone order, row by row: 1 2 3 / 4 5 6 / 7 8 9 / 1字消す 0 確定.
        for (var digit = 1; digit <= 9; digit++)
        {
            draft.Buttons.Add(DigitKey(digit));
        }

        draft.Buttons.Add(new ScreenButton(ActionIds.PinBackspace, t["pin.key.backspace"]));
        draft.Buttons.Add(DigitKey(0));
        draft.Buttons.Add(new ScreenButton(ActionIds.PinOk, t["pin.key.ok"]));

        if (s.CardKind == CardKind.Card)
        {
            // A phone has only the PIN: there is no method choice to go back to.
            draft.Buttons.Add(new ScreenButton(ActionIds.Back, t["button.back"]));
        }

        return draft;
    }

    private static Draft PinLastTry(SessionSnapshot s, ScreenTexts t)
    {
        var draft = new Draft(ScreenIds.PinLastTry, t["pin.lastTry.title"], ScreenTone.Attention) { Lines = { PinDots(s.PinDigitsEntered) } };
        if (s.PinTriesLeft is { } triesLeft)
        {
            draft.Lines.Add(t.Format("pin.triesLeft", triesLeft));
        }

        draft.Lines.Add(t["pin.lastTry.warning"]);
        draft.Lines.Add(t["pin.lastTry.unlock"]);
        draft.Buttons.Add(new ScreenButton(ActionIds.PinConfirmLastTry, t["pin.button.confirm"]));
        draft.Buttons.Add(new ScreenButton(ActionIds.Back, t["button.back"]));
        return draft;
    }

    private static Draft StaffVisual(SessionSnapshot s, ScreenTexts t)
    {
        var draft = new Draft(ScreenIds.StaffVisual, t["staffVisual.title"]);
        AddMethodNotice(draft, s, t);
        draft.Lines.Add(t["common.pleaseWait"]);
        if (s.Methods.Any(m => m != MethodOption.Staff))
        {
            draft.Buttons.Add(new ScreenButton(ActionIds.Back, t["button.back"]));
        }

        return draft;
    }

    private static Draft Consent(SessionSnapshot s, ScreenTexts t)
    {
        var categories = s.ConsentCategories;
        if (s.ConsentCategoryIndex is { } index && index >= 0 && index < categories.Count)
        {
            // 個別に同意する: one category at a time.
            var name = CategoryName(categories[index].Id, t);
            return new Draft(ScreenIds.ConsentCategory, t.Format("consent.individual.title", name))
            {
                Lines = { t.Format("consent.individual.progress", index + 1, categories.Count) },
                Buttons =
                {
                    new ScreenButton(ActionIds.ConsentYes, t["consent.button.yes"]),
                    new ScreenButton(ActionIds.ConsentNo, t["consent.button.no"]),
                    new ScreenButton(ActionIds.Back, t["button.back"]),
                },
            };
        }

        var draft = new Draft(ScreenIds.Consent, t["consent.title"]);
        if (categories.Count > 0)
        {
            var names = string.Join(t["consent.separator"], categories.Select(c => CategoryName(c.Id, t)));
            draft.Lines.Add(t.Format("consent.categories", names));
        }

        draft.Lines.Add(t["consent.optional"]);
        draft.Buttons.Add(new ScreenButton(ActionIds.ConsentAll, t["consent.button.all"]));
        draft.Buttons.Add(new ScreenButton(ActionIds.ConsentIndividual, t["consent.button.individual"]));
        return draft;
    }

    private static Draft PrescriptionForm(ScreenTexts t) =>
        new(ScreenIds.PrescriptionForm, t["prescription.title"])
        {
            Buttons =
            {
                new ScreenButton(ActionIds.PrescriptionElectronic, t["prescription.button.electronic"]),
                new ScreenButton(ActionIds.PrescriptionPaper, t["prescription.button.paper"]),
            },
        };

    private static Draft Done(SessionSnapshot s, ScreenTexts t)
    {
        var answer = s.Eligibility;
        if (!s.EligibilityMissing && answer is { Status: EligibilityStatus.Valid })
        {
            var draft = new Draft(ScreenIds.Done, t["done.title"], ScreenTone.Success);
            draft.Lines.Add(string.IsNullOrWhiteSpace(answer.GreetingName)
                ? t["done.noName"]
                : t.Format("done.greeting", answer.GreetingName.Trim()));
            if (s.Expiry == CertificateExpiry.ExpiredInGrace)
            {
                draft.Lines.Add(t["done.limited"]);
            }

            draft.Lines.AddRange(answer.Notices);
            return draft;
        }

        // 資格無効 / 該当資格なし / no answer in time: identity is confirmed, insurance is for reception to sort out.
        var reason = s.EligibilityMissing || answer is null ? "Missing" : answer.Status.ToString();
        var reception = new Draft(ScreenIds.DoneSeeReception, t["done.reception.title"], ScreenTone.Attention);
        reception.Lines.Add(t[$"done.reason.{reason}"]);
        if (answer is not null)
        {
            reception.Lines.AddRange(answer.Notices);
        }

        reception.Lines.Add(t["done.identityConfirmed"]);
        reception.Lines.Add(t["common.removeCard"]);
        reception.Lines.Add(t["common.fallbackIntro"]);
        reception.Lines.Add(t["fallback.notice"]);
        reception.Lines.Add(t["fallback.portal"]);
        reception.Lines.Add(t["fallback.certificate"]);
        reception.Lines.Add(t["fallback.declaration"]);
        return reception;
    }

    private static Draft Failed(SessionSnapshot s, ScreenTexts t)
    {
        var reason = s.Failure ?? FailureReason.DeviceFault;
        var draft = new Draft(ScreenIds.Failed(reason), t[$"failed.{reason}.title"], ScreenTone.Error);
        if (ErrorCode(reason) is { } code)
        {
            draft.Lines.Add(t.Format("failed.code", code));
        }

        if (reason is FailureReason.TimedOut or FailureReason.Cancelled)
        {
            draft.Lines.Add(t["common.notCompleted"]);
        }

        draft.Lines.Add(t[$"failed.{reason}.action"]);
        if (reason == FailureReason.NoMethodLeft && (s.MethodNotice == MethodNotice.PinBlocked || s.PinTriesLeft == 0))
        {
            draft.Lines.Add(t["failed.NoMethodLeft.pinLocked"]);
        }

        draft.Lines.Add(t["common.askReception"]);
        draft.Lines.Add(t["common.fallbackIntro"]);
        if (reason != FailureReason.CertificateExpired)
        {
            // With an expired certificate the card is no 保険証: the お知らせ and マイナポータル do not help.
            draft.Lines.Add(t["fallback.notice"]);
            draft.Lines.Add(t["fallback.portal"]);
        }

        draft.Lines.Add(t["fallback.certificate"]);
        draft.Lines.Add(t["fallback.declaration"]);
        draft.Lines.Add(t["common.removeCard"]);
        return draft;
    }

    // ---- helpers -----------------------------------------------------------------------------------

    /// <summary>The reader-level error codes patients and staff know from certified readers.</summary>
    private static string? ErrorCode(FailureReason reason) => reason switch
    {
        FailureReason.CardUnreadable => "001",   // マイナンバーカードの認識不可
        FailureReason.NotMyNumberCard => "002",  // マイナンバーカード以外
        FailureReason.CertificateExpired => "006", // 利用者証明用電子証明書の失効・有効期限切れ
        _ => null,
    };

    private static void AddMethodNotice(Draft draft, SessionSnapshot s, ScreenTexts t)
    {
        if (s.MethodNotice != MethodNotice.None)
        {
            draft.Lines.Add(t[$"method.notice.{s.MethodNotice}"]);
            draft.Tone = ScreenTone.Attention;
        }
    }

    /// <summary>●●○○: filled dots for the digits entered, hollow for the rest. Never a digit.</summary>
    private static string PinDots(int entered)
    {
        var filled = Math.Clamp(entered, 0, Core.Session.Pin.Length);
        return new string('●', filled) + new string('○', Core.Session.Pin.Length - filled);
    }

    private static ScreenButton DigitKey(int digit) => new(ActionIds.Digit(digit), ((char)('0' + digit)).ToString());

    /// <summary>Category ids are data: a known id gets its text, an unknown one is shown as it is.</summary>
    private static string CategoryName(string id, ScreenTexts t) =>
        t.TryGet("consent.category." + id, out var name) ? name : id;


    /// <summary>A screen under construction.</summary>
    private sealed class Draft(string id, string title, ScreenTone tone = ScreenTone.Normal)
    {
        public string Id { get; } = id;
        public string Title { get; } = title;
        public ScreenTone Tone { get; set; } = tone;
        public List<string> Lines { get; } = [];
        public List<ScreenButton> Buttons { get; } = [];
    }
}
