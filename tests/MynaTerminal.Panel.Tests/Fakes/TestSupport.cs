using MynaTerminal.Core.Devices;
using MynaTerminal.Core.Session;

namespace MynaTerminal.Panel.Tests.Fakes;

/// <summary>A temporary folder removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mynaterm-panel-tests-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Screens shaped like ScreenComposer's: system buttons, action rows, the PIN keypad.</summary>
internal static class TestScreens
{
    public static Screen MethodChoice(string language = "ja") => new(
        "method-choice", language, "本人確認の方法を選んでください",
        ["顔認証または暗証番号で本人確認をします。"],
        [
            new ScreenButton(ActionIds.MethodFace, "顔認証"),
            new ScreenButton(ActionIds.MethodPin, "暗証番号"),
            new ScreenButton(ActionIds.MethodStaff, "係員に確認してもらう"),
            new ScreenButton(ActionIds.Help, "係員呼出"),
            new ScreenButton(ActionIds.Language(language == "ja" ? "en" : "ja"), language == "ja" ? "English" : "日本語"),
        ]);

    public static Screen Pin() => new(
        "pin", "ja", "暗証番号（数字4桁）を入力してください",
        ["● ● ○ ○", "残り 3 回"],
        [
            .. Enumerable.Range(1, 9).Select(d => new ScreenButton(ActionIds.Digit(d), d.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            new ScreenButton(ActionIds.PinBackspace, "1字消す"),
            new ScreenButton(ActionIds.Digit(0), "0"),
            new ScreenButton(ActionIds.PinOk, "確定"),
            new ScreenButton(ActionIds.Back, "戻る"),
            new ScreenButton(ActionIds.Help, "係員呼出"),
            new ScreenButton(ActionIds.Language("en"), "English"),
        ]);

    public static Screen Consent() => new(
        "consent", "en", "Share your medical information?",
        ["Treatment, medication, checkups", "You may choose each one."],
        [
            new ScreenButton(ActionIds.ConsentAll, "Agree to all"),
            new ScreenButton(ActionIds.ConsentIndividual, "Choose one by one"),
            new ScreenButton(ActionIds.Back, "Back"),
            new ScreenButton(ActionIds.Continue, "Continue"),
            new ScreenButton(ActionIds.Help, "Call staff"),
            new ScreenButton(ActionIds.Language("ja"), "日本語"),
        ]);

    public static IEnumerable<Screen> All() => [MethodChoice(), MethodChoice("en"), Pin(), Consent()];
}

/// <summary>Files of the repository (hardware/pinmap.json).</summary>
internal static class RepoFiles
{
    public static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"{relative} not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>A FakeTimeProvider that tells when the code under test starts a timer, so tests advance only after it did.</summary>
internal sealed class SignallingTimeProvider : Microsoft.Extensions.Time.Testing.FakeTimeProvider
{
    private TaskCompletionSource<TimeSpan> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the due time of the next timer started (one with a finite due time).</summary>
    public Task<TimeSpan> NextTimer => Volatile.Read(ref _next).Task;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(dueTime);
        }

        return timer;
    }
}
