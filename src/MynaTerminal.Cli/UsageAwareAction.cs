using System.CommandLine;

namespace MynaTerminal.Cli;

/// <summary>
/// A subcommand's action where parse errors are usage errors with exit code 2 (System.CommandLine's own parse-error
/// action answers 1), printed with a pointer to the subcommand's --help.
/// </summary>
internal sealed class UsageAwareAction(Func<ParseResult, CancellationToken, Task<int>> run) : System.CommandLine.Invocation.AsynchronousCommandLineAction
{
    public const int ExitUsage = 2;

    public override bool ClearsParseErrors => true;

    public override async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default)
    {
        if (parseResult.Errors.Count > 0 || parseResult.UnmatchedTokens.Count > 0)
        {
            var stderr = parseResult.InvocationConfiguration.Error;
            foreach (var error in parseResult.Errors)
            {
                stderr.WriteLine($"error: {error.Message}");
            }

            foreach (var token in parseResult.UnmatchedTokens)
            {
                stderr.WriteLine($"error: unrecognized argument '{token}'.");
            }

            stderr.WriteLine($"See: mynaterm {string.Join(' ', CommandPath(parseResult))} --help");
            return ExitUsage;
        }

        return await run(parseResult, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The subcommand's names from the root down (without the root's own name).</summary>
    private static IEnumerable<string> CommandPath(ParseResult parseResult)
    {
        var names = new Stack<string>();
        for (var result = parseResult.CommandResult; result.Parent is System.CommandLine.Parsing.CommandResult parent; result = parent)
        {
            names.Push(result.Command.Name);
        }

        return names;
    }
}
