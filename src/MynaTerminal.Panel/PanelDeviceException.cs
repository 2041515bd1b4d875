using MynaTerminal.Panel.Native;

namespace MynaTerminal.Panel;

/// <summary>A panel or input device cannot be used; the message says which and what to do.</summary>
public sealed class PanelDeviceException : Exception
{
    public PanelDeviceException(string message)
        : base(message)
    {
    }

    public PanelDeviceException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public PanelDeviceException()
    {
    }

    /// <summary>The errno of the system call behind the failure; 0 when there is none.</summary>
    public int ErrorNumber { get; init; }

    /// <summary>The message for an open() that failed with <paramref name="errno"/>, naming the group that grants access.</summary>
    internal static PanelDeviceException FromOpen(string path, int errno, string what, string group) => new(errno switch
    {
        Libc.ENOENT or Libc.ENXIO or Libc.ENODEV => $"No {what} at {path}: {Libc.Describe(errno)}. Check the wiring / cable, the device tree overlay, and the path in the configuration.",
        Libc.EACCES or Libc.EPERM => $"Permission denied on {path}: add the service user to the '{group}' group (usermod -aG {group} <user>) and restart the service.",
        _ => $"Cannot open the {what} {path}: {Libc.Describe(errno)}.",
    })
    {
        ErrorNumber = errno,
    };
}
