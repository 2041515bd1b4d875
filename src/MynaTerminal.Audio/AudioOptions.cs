using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace MynaTerminal.Audio;

/// <summary>Audio guidance (section "Audio" of appsettings.json); validated when the host starts.</summary>
public sealed class AudioOptions
{
    public const string Section = "Audio";

    /// <summary>Where <c>mynaterm audio render</c> puts the prompts on the device (deploy-pi/install.sh).</summary>
    public const string DefaultPromptsPath = "/var/lib/mynaterm/prompts";

    /// <summary>Speak a prompt per screen and click on keypad keys. Off: nothing is played.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The ALSA PCM for <c>aplay -D</c>: <c>default</c>, <c>plughw:CARD=Headphones,DEV=0</c>, <c>hw:1,0</c>, … (<c>aplay -L</c> lists them).</summary>
    [Required]
    public string Device { get; set; } = "default";

    /// <summary>The folder of the pre-rendered prompts (<c>&lt;language&gt;/&lt;screenId&gt;.wav</c>, <c>key-click.wav</c>).</summary>
    [Required]
    public string PromptsPath { get; set; } = DefaultPromptsPath;

    /// <summary>
    /// Volume hint in percent of the rendered loudness (0–100): samples are scaled before they go to aplay. The
    /// sound card's own mixer (alsamixer) still sets the maximum.
    /// </summary>
    [Range(0, 100)]
    public int Volume { get; set; } = 100;

    /// <summary>The aplay program (package alsa-utils).</summary>
    [Required]
    public string AplayPath { get; set; } = "aplay";
}

/// <summary>The checks data annotations cannot express: a device name aplay accepts, an absolute prompts folder.</summary>
public sealed class AudioOptionsValidator : IValidateOptions<AudioOptions>
{
    public ValidateOptionsResult Validate(string? name, AudioOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Device) || options.Device.Length > 128 || options.Device[0] == '-' ||
            !options.Device.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or ':' or ',' or '.' or '='))
        {
            failures.Add($"{AudioOptions.Section}:{nameof(AudioOptions.Device)} '{options.Device}' is not an ALSA device name (e.g. default, plughw:CARD=Headphones,DEV=0, hw:1,0).");
        }

        if (string.IsNullOrWhiteSpace(options.PromptsPath) || !Path.IsPathFullyQualified(options.PromptsPath))
        {
            failures.Add($"{AudioOptions.Section}:{nameof(AudioOptions.PromptsPath)} '{options.PromptsPath}' must be an absolute folder (default {AudioOptions.DefaultPromptsPath}).");
        }

        if (options.Volume is < 0 or > 100)
        {
            failures.Add($"{AudioOptions.Section}:{nameof(AudioOptions.Volume)} {options.Volume} must be 0 to 100.");
        }

        if (string.IsNullOrWhiteSpace(options.AplayPath))
        {
            failures.Add($"{AudioOptions.Section}:{nameof(AudioOptions.AplayPath)} must name the aplay program.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
