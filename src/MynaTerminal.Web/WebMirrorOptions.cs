using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.Extensions.Options;

namespace MynaTerminal.Web;

/// <summary>The web mirror of the simulated terminal (section "WebMirror").</summary>
public sealed class WebMirrorOptions
{
    public const string Section = "WebMirror";

    /// <summary>Serve the page. Off by default; <c>mynaterm simulate --web</c> turns it on.</summary>
    public bool Enabled { get; set; }

    /// <summary>TCP port on the loopback address; 0 picks a free one (tests).</summary>
    [Range(0, 65535)]
    public int Port { get; set; } = 8080;

    /// <summary>
    /// The address Kestrel binds to. Fixed to loopback: the page drives a terminal (card, camera, PIN keypad), so it is
    /// never reachable from the network. <c>127.0.0.1</c>, <c>::1</c> or <c>localhost</c>; anything else stops the host.
    /// </summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary>The loopback address to bind, or null when <see cref="BindAddress"/> is not a loopback address.</summary>
    public IPAddress? LoopbackAddress() =>
        string.Equals(BindAddress, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(BindAddress, out var address) && IPAddress.IsLoopback(address) ? address
        : null;
}

/// <summary>Refuses a bind address that is not loopback, naming the setting.</summary>
internal sealed class WebMirrorOptionsValidator : IValidateOptions<WebMirrorOptions>
{
    public ValidateOptionsResult Validate(string? name, WebMirrorOptions options) =>
        options.LoopbackAddress() is null
            ? ValidateOptionsResult.Fail(
                $"{WebMirrorOptions.Section}:{nameof(WebMirrorOptions.BindAddress)} is '{options.BindAddress}'; the web mirror only binds to loopback (127.0.0.1, ::1, localhost).")
            : ValidateOptionsResult.Success;
}
