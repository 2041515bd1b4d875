using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MynaTerminal.Core.Devices;

namespace MynaTerminal.Audio.Tests;

public sealed class AudioRegistrationTests
{
    [Fact]
    public async Task The_registered_display_is_wrapped_and_still_owned_by_the_container()
    {
        var inner = new DisposableDisplay();
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IDisplay>(_ => inner);
        services.AddAudioGuidance(Configuration(("Audio:Device", "hw:1,0"), ("Audio:Volume", "80")));

        await using (var provider = services.BuildServiceProvider(validateScopes: true))
        {
            var display = provider.GetRequiredService<IDisplay>();
            var guidance = Assert.IsType<SpokenGuidance>(display);
            Assert.Same(inner, guidance.Inner);
            Assert.IsType<AlsaPlayer>(provider.GetRequiredService<IAudioPlayer>());
            var options = provider.GetRequiredService<IOptions<AudioOptions>>().Value;
            Assert.Equal("hw:1,0", options.Device);
            Assert.Equal(80, options.Volume);
            Assert.Equal(AudioOptions.DefaultPromptsPath, options.PromptsPath);
        }

        Assert.True(inner.Disposed);
    }

    [Fact]
    public void An_input_device_is_wrapped_with_the_key_click_and_a_disabled_section_gets_the_null_player()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IDisplay, DisposableDisplay>();
        services.AddSingleton<IInputDevice, NoInput>();
        services.AddAudioGuidance(Configuration(("Audio:Enabled", "false")));
        using var provider = services.BuildServiceProvider();

        Assert.IsType<NoInput>(Assert.IsType<KeyClickFeedback>(provider.GetRequiredService<IInputDevice>()).Inner);
        Assert.IsType<DisposableDisplay>(Assert.IsType<SpokenGuidance>(provider.GetRequiredService<IDisplay>()).Inner);
        Assert.Same(NullAudioPlayer.Instance, provider.GetRequiredService<IAudioPlayer>());
    }

    [Fact]
    public void Without_a_display_registered_first_it_says_so()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddAudioGuidance(Configuration()));
        Assert.Contains("AddScreens", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Audio:Device", "default; rm -rf /", "Audio:Device")]
    [InlineData("Audio:Device", "-Dx", "Audio:Device")]
    [InlineData("Audio:PromptsPath", "prompts", "Audio:PromptsPath")]
    [InlineData("Audio:Volume", "150", "Volume")]
    public void Bad_settings_stop_the_start_naming_the_key(string key, string value, string named)
    {
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton<IDisplay, DisposableDisplay>();
        services.AddAudioGuidance(Configuration((key, value)));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AudioOptions>>().Value);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.True(new AudioOptionsValidator().Validate(null, new AudioOptions()).Succeeded);
        Assert.True(new AudioOptionsValidator().Validate(null, new AudioOptions { Device = "plughw:CARD=Headphones,DEV=0" }).Succeeded);
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private sealed class DisposableDisplay : IDisplay, IDisposable
    {
        public bool Disposed { get; private set; }

        public Task ShowAsync(Screen screen, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose() => Disposed = true;
    }

    private sealed class NoInput : IInputDevice
    {
        public IAsyncEnumerable<InputAction> ActionsAsync(CancellationToken cancellationToken) => AsyncEnumerable.Empty<InputAction>();
    }
}
