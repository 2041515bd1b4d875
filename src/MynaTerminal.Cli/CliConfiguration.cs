using Microsoft.Extensions.Configuration;

namespace MynaTerminal.Cli;

/// <summary>
/// The configuration the maintenance commands read: the defaults shipped next to the binary, the device's
/// <c>/etc/mynaterm/appsettings.json</c>, then <c>MYNATERM_</c> environment variables — as the worker reads it.
/// </summary>
internal static class CliConfiguration
{
    public static IConfiguration Load() => new ConfigurationBuilder()
        .SetBasePath(AppContext.BaseDirectory)
        .AddJsonFile("appsettings.json", optional: true)
        .AddJsonFile("/etc/mynaterm/appsettings.json", optional: true)
        .AddEnvironmentVariables("MYNATERM_")
        .Build();
}
