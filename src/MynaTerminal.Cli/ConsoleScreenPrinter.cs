using MynaTerminal.Core.Session;
using MynaTerminal.Display;

namespace MynaTerminal.Cli;

/// <summary>
/// Prints the text of each screen as the session reaches it (in step with the session, even when the PNG
/// panel skips screens to keep up).
/// </summary>
public sealed class ConsoleScreenPrinter(TextWriter output, TimeProvider clock)
{
    public void Print(SessionSnapshot snapshot)
    {
        var screen = ScreenComposer.Compose(snapshot);
        output.Write($"--- screen {screen.Id} [{screen.Language}] {clock.GetLocalNow():HH:mm:ss.fff}\n{screen.ToPlainText()}\n");
    }
}
