using System.Diagnostics;
using Microsoft.Playwright;
using MynaTerminal.Core.Results;
using MynaTerminal.Core.Session;
using MynaTerminal.Display;
using MynaTerminal.Web.Tests.Support;

namespace MynaTerminal.Web.Tests;

/// <summary>
/// A patient in a real browser: headless Debian Chromium driven by Playwright (its bundled driver, no browser
/// download) completes 顔認証 and 暗証番号 through the web page only: card control, screen buttons, keypad, consent.
/// </summary>
public sealed class BrowserTests
{
    /// <summary>Debian's Chromium (scripts/install-deps.sh installs it); MYNATERM_CHROMIUM points elsewhere.</summary>
    private static readonly string Chromium = Environment.GetEnvironmentVariable("MYNATERM_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_patient_completes_the_face_path_and_the_pin_path_in_the_browser()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Skip($"{Chromium} is not installed (apt-get install chromium, or ./scripts/install-deps.sh); the browser test needs it.");
        }

        var watch = Stopwatch.StartNew();
        await using var terminal = await WebTerminal.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            // Root in a container needs --no-sandbox; the rest keeps Chromium off the (closed) network.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync(new() { Locale = "ja-JP" });
        page.SetDefaultTimeout((float)WebTerminal.Generous.TotalMilliseconds);
        var pageErrors = new List<string>();
        page.PageError += (_, error) => pageErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                pageErrors.Add($"{message.Text} ({message.Location})");
            }
        };

        await page.GotoAsync(terminal.Mirror.Address!.ToString());
        await ScreenAsync(page, ScreenIds.Idle);
        await Assertions.Expect(page.Locator("#conn")).ToHaveTextAsync("live");
        var idleImage = await page.Locator("#screen").GetAttributeAsync("src");

        // 顔認証: the card holder stands in front of the camera (the default).
        await InsertCardAsync(page, "normal");
        Assert.NotEqual(idleImage, await page.Locator("#screen").GetAttributeAsync("src"));
        await page.GetByRole(AriaRole.Button, new() { Name = "顔認証", Exact = true }).ClickAsync();
        await ConsentAndFinishAsync(page, onPicture: false);

        // 暗証番号 on the page's keypad.
        await InsertCardAsync(page, "normal");
        await page.GetByRole(AriaRole.Button, new() { Name = "暗証番号", Exact = true }).ClickAsync();
        await ScreenAsync(page, ScreenIds.Pin);
        foreach (var digit in "1234")
        {
            await page.Locator($"#keypad button[data-action='{ActionIds.Digit(digit - '0')}']").ClickAsync();
        }

        await Assertions.Expect(page.Locator("#lines li").First).ToHaveTextAsync("●●●●");
        await page.Locator("#keypad").GetByRole(AriaRole.Button, new() { Name = "確定", Exact = true }).ClickAsync();
        await ConsentAndFinishAsync(page, onPicture: true);

        await terminal.Link.WaitForAsync(v => v.Count >= 2, WebTerminal.Generous, Ct);
        Assert.Equal([IdentityMethod.Face, IdentityMethod.Pin], terminal.Link.Verifications.Select(v => v.Method));
        Assert.All(terminal.Link.Verifications, v => Assert.Equal(ConsentMode.All, v.Consents.Mode));
        Assert.True(pageErrors.Count == 0, "The page reported errors:\n" + string.Join("\n", pageErrors));
        TestContext.Current.SendDiagnosticMessage($"browser test: {watch.Elapsed.TotalSeconds:0.0} s including terminal start and Chromium launch");
    }

    private static Task ScreenAsync(IPage page, string screenId) =>
        Assertions.Expect(page.Locator("body")).ToHaveAttributeAsync("data-screen", screenId);

    private static async Task InsertCardAsync(IPage page, string persona)
    {
        await page.Locator("#persona").SelectOptionAsync(persona);
        await page.Locator("#insert").ClickAsync();
        await Assertions.Expect(page.Locator("#card-state")).ToHaveTextAsync(persona);
        await ScreenAsync(page, ScreenIds.MethodChoice);
    }

    /// <summary>全て同意する, by its HTML button or by a click on the screen picture where the renderer drew it.</summary>
    private static async Task ConsentAndFinishAsync(IPage page, bool onPicture)
    {
        await ScreenAsync(page, ScreenIds.Consent);
        if (onPicture)
        {
            var point = await page.EvaluateAsync<float[]>(
                """
                id => {
                  const b = state.layout.buttons.find(b => b.id === id);
                  const r = document.getElementById("screen").getBoundingClientRect();
                  return [(b.x + b.width / 2) * r.width / state.layout.width, (b.y + b.height / 2) * r.height / state.layout.height];
                }
                """,
                ActionIds.ConsentAll);
            await page.Locator("#screen").ClickAsync(new() { Position = new() { X = point[0], Y = point[1] } });
        }
        else
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "全て同意する", Exact = true }).ClickAsync();
        }

        await ScreenAsync(page, ScreenIds.Done);
        await Assertions.Expect(page.Locator("#title")).ToContainTextAsync("確認が完了しました");
        await page.Locator("#remove").ClickAsync();
        await ScreenAsync(page, ScreenIds.Idle);
    }
}
