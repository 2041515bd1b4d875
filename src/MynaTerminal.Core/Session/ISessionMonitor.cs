namespace MynaTerminal.Core.Session;

/// <summary>Read-only view of the running session, for simulators, the web mirror and tests.</summary>
public interface ISessionMonitor
{
    SessionSnapshot Current { get; }

    /// <summary>Raised after every change of the snapshot.</summary>
    event Action<SessionSnapshot>? SnapshotChanged;
}
