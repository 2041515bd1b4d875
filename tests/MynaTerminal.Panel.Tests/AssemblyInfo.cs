// The panel drivers are Linux devices (spidev, fbdev, evdev, gpiochip); so are their tests.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
