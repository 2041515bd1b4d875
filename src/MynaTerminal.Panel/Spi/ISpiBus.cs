using System.Device.Spi;

namespace MynaTerminal.Panel.Spi;

/// <summary>A write-only SPI link to one chip-select (the TFT never answers).</summary>
public interface ISpiBus : IDisposable
{
    /// <summary>One transfer; the caller keeps it within the driver's limit (spidev <c>bufsiz</c>).</summary>
    void Write(ReadOnlySpan<byte> data);
}

/// <summary><see cref="ISpiBus"/> over System.Device.Spi's <see cref="SpiDevice"/> (Linux: /dev/spidevB.C).</summary>
public sealed class SpiDeviceBus : ISpiBus
{
    private readonly SpiDevice _device;
    private readonly bool _ownsDevice;

    /// <param name="device">The SPI device.</param>
    /// <param name="ownsDevice">Dispose it with this object.</param>
    public SpiDeviceBus(SpiDevice device, bool ownsDevice)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
        _ownsDevice = ownsDevice;
    }

    /// <summary>Opens /dev/spidev&lt;Bus&gt;.&lt;ChipSelect&gt; in mode 0, 8 bits, at the configured clock.</summary>
    /// <exception cref="PanelDeviceException">SPI is off (dtparam=spi=on), or the user is not in the <c>spi</c> group.</exception>
    public static SpiDeviceBus Open(SpiTftOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = new SpiConnectionSettings(options.Bus, options.ChipSelect)
        {
            ClockFrequency = options.ClockHz,
            Mode = SpiMode.Mode0,
            DataBitLength = 8,
        };
        try
        {
            return new SpiDeviceBus(SpiDevice.Create(settings), ownsDevice: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            throw new PanelDeviceException(
                $"Cannot open /dev/spidev{options.Bus}.{options.ChipSelect}: {e.Message}. Enable SPI (dtparam=spi=on in " +
                "/boot/firmware/config.txt, then reboot) and add the service user to the 'spi' group.", e);
        }
    }

    public void Write(ReadOnlySpan<byte> data) => _device.Write(data);

    public void Dispose()
    {
        if (_ownsDevice)
        {
            _device.Dispose();
        }
    }
}
