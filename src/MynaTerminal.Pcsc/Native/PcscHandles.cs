using System.Runtime.InteropServices;

namespace MynaTerminal.Pcsc.Native;

/// <summary>An SCARDCONTEXT; releasing it calls <c>SCardReleaseContext</c>.</summary>
internal sealed class PcscContextHandle : SafeHandle
{
    /// <summary>Used by the marshaller for <c>out</c> parameters.</summary>
    public PcscContextHandle()
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle() => PcscLite.ToError(PcscLite.SCardReleaseContext(handle)) == PcscError.Success;
}

/// <summary>
/// An SCARDHANDLE. It keeps its context alive (a reference on the context's SafeHandle) until it is released,
/// and releasing it calls <c>SCardDisconnect</c> with <see cref="Disposition"/>: unpower unless told otherwise,
/// so a forgotten handle leaves no verified key behind.
/// </summary>
internal sealed class PcscCardHandle : SafeHandle
{
    private readonly PcscContextHandle _context;

    public PcscCardHandle(nint card, PcscContextHandle context)
        : base(invalidHandleValue: 0, ownsHandle: true)
    {
        var added = false;
        context.DangerousAddRef(ref added);
        _context = context;
        SetHandle(card);
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>What <see cref="ReleaseHandle"/> does to the card.</summary>
    public PcscDisposition Disposition { get; set; } = PcscDisposition.Unpower;

    /// <summary>The result of the <c>SCardDisconnect</c> made on release.</summary>
    public PcscError DisconnectResult { get; private set; }

    protected override bool ReleaseHandle()
    {
        try
        {
            DisconnectResult = PcscLite.ToError(PcscLite.SCardDisconnect(handle, (nuint)(uint)Disposition));
            return true;
        }
        finally
        {
            _context.DangerousRelease();
        }
    }
}
