namespace MynaTerminal.Panel.Input;

/// <summary>What a finger did, in raw device coordinates.</summary>
public enum TouchPhase
{
    Down,
    Up,

    /// <summary>Events were lost (SYN_DROPPED): the touch in progress must not count.</summary>
    Cancelled,
}

/// <summary>A touch report at a SYN_REPORT boundary.</summary>
public readonly record struct TouchReport(TouchPhase Phase, int RawX, int RawY);

/// <summary>
/// Turns evdev events into touch down / up reports for the first finger. Understands single-touch devices
/// (ABS_X / ABS_Y + BTN_TOUCH) and multi-touch protocol B (ABS_MT_SLOT, ABS_MT_POSITION_*, ABS_MT_TRACKING_ID,
/// slot 0 only); when a device sends both, the single-touch values win. Positions persist between touches because
/// the kernel only sends values that changed. Events are applied at SYN_REPORT; after SYN_DROPPED everything up to
/// the next SYN_REPORT is discarded and a touch in progress is cancelled.
/// </summary>
public sealed class TouchTracker
{
    private int _x;
    private int _y;
    private bool _haveX;
    private bool _haveY;
    private bool _singleTouchPosition;
    private bool _sawButton;
    private int _slot;
    private bool _touching;
    private bool _down;
    private bool _dropping;

    /// <summary>Forgets the touch state (a device opened again).</summary>
    public void Reset()
    {
        _touching = _down = _dropping = _singleTouchPosition = _sawButton = false;
        _haveX = _haveY = false;
        _slot = 0;
    }

    /// <summary>Applies one event; returns a report at the SYN_REPORT that completes a touch down or up.</summary>
    public TouchReport? Feed(InputEvent e)
    {
        switch (e.Type)
        {
            case EvdevCodes.EV_SYN when e.Code == EvdevCodes.SYN_DROPPED:
                _dropping = true;
                _touching = false;
                if (_down)
                {
                    _down = false;
                    return new TouchReport(TouchPhase.Cancelled, _x, _y);
                }

                return null;
            case EvdevCodes.EV_SYN when e.Code == EvdevCodes.SYN_REPORT:
                return Report();
        }

        if (_dropping)
        {
            return null;
        }

        switch (e.Type, e.Code)
        {
            case (EvdevCodes.EV_ABS, EvdevCodes.ABS_X):
                _singleTouchPosition = true;
                (_x, _haveX) = (e.Value, true);
                break;
            case (EvdevCodes.EV_ABS, EvdevCodes.ABS_Y):
                _singleTouchPosition = true;
                (_y, _haveY) = (e.Value, true);
                break;
            case (EvdevCodes.EV_ABS, EvdevCodes.ABS_MT_SLOT):
                _slot = e.Value;
                break;
            case (EvdevCodes.EV_ABS, EvdevCodes.ABS_MT_POSITION_X) when _slot == 0 && !_singleTouchPosition:
                (_x, _haveX) = (e.Value, true);
                break;
            case (EvdevCodes.EV_ABS, EvdevCodes.ABS_MT_POSITION_Y) when _slot == 0 && !_singleTouchPosition:
                (_y, _haveY) = (e.Value, true);
                break;
            case (EvdevCodes.EV_ABS, EvdevCodes.ABS_MT_TRACKING_ID) when _slot == 0 && !_sawButton:
                _touching = e.Value >= 0;
                break;
            case (EvdevCodes.EV_KEY, EvdevCodes.BTN_TOUCH):
                _sawButton = true;
                _touching = e.Value != 0;
                break;
        }

        return null;
    }

    private TouchReport? Report()
    {
        if (_dropping)
        {
            _dropping = false;
            return null;
        }

        if (_touching && !_down && _haveX && _haveY)
        {
            _down = true;
            return new TouchReport(TouchPhase.Down, _x, _y);
        }

        if (!_touching && _down)
        {
            _down = false;
            return new TouchReport(TouchPhase.Up, _x, _y);
        }

        return null;
    }
}
