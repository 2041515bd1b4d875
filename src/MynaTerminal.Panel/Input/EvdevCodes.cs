namespace MynaTerminal.Panel.Input;

/// <summary>
/// The event types and codes of &lt;linux/input-event-codes.h&gt; that the inputs use (values checked against the
/// kernel header by <c>NativeLayoutTests</c>), and the key names accepted in configuration.
/// </summary>
public static class EvdevCodes
{
    public const ushort EV_SYN = 0x00;
    public const ushort EV_KEY = 0x01;
    public const ushort EV_ABS = 0x03;

    public const ushort SYN_REPORT = 0;
    public const ushort SYN_DROPPED = 3;

    public const ushort ABS_X = 0x00;
    public const ushort ABS_Y = 0x01;
    public const ushort ABS_MT_SLOT = 0x2f;
    public const ushort ABS_MT_POSITION_X = 0x35;
    public const ushort ABS_MT_POSITION_Y = 0x36;
    public const ushort ABS_MT_TRACKING_ID = 0x39;

    public const ushort BTN_TOUCH = 0x14a;

    public const ushort KEY_ESC = 1;
    public const ushort KEY_1 = 2;
    public const ushort KEY_0 = 11;
    public const ushort KEY_BACKSPACE = 14;
    public const ushort KEY_TAB = 15;
    public const ushort KEY_ENTER = 28;
    public const ushort KEY_KPASTERISK = 55;
    public const ushort KEY_NUMLOCK = 69;
    public const ushort KEY_KP7 = 71;
    public const ushort KEY_KP8 = 72;
    public const ushort KEY_KP9 = 73;
    public const ushort KEY_KPMINUS = 74;
    public const ushort KEY_KP4 = 75;
    public const ushort KEY_KP5 = 76;
    public const ushort KEY_KP6 = 77;
    public const ushort KEY_KPPLUS = 78;
    public const ushort KEY_KP1 = 79;
    public const ushort KEY_KP2 = 80;
    public const ushort KEY_KP3 = 81;
    public const ushort KEY_KP0 = 82;
    public const ushort KEY_KPDOT = 83;
    public const ushort KEY_KPENTER = 96;
    public const ushort KEY_KPSLASH = 98;
    public const ushort KEY_DELETE = 111;
    public const ushort KEY_KPEQUAL = 117;
    public const ushort KEY_KPCOMMA = 121;

    /// <summary>Key value of a press; 0 is a release and 2 an auto-repeat.</summary>
    public const int KeyPressed = 1;

    /// <summary>Key value of an auto-repeat.</summary>
    public const int KeyRepeat = 2;

    private static readonly Dictionary<string, ushort> KeysByName = BuildKeyNames();

    /// <summary>The key names configuration may use (KEY_KP0 … KEY_KP9, KEY_0 … KEY_9, KEY_KPENTER, …).</summary>
    public static IReadOnlyCollection<string> KeyNames => KeysByName.Keys;

    /// <summary>The code of a key name such as <c>KEY_KPENTER</c> (case-insensitive).</summary>
    public static bool TryParseKey(string name, out ushort code) => KeysByName.TryGetValue(name, out code);

    private static Dictionary<string, ushort> BuildKeyNames()
    {
        var names = new Dictionary<string, ushort>(StringComparer.OrdinalIgnoreCase)
        {
            ["KEY_ESC"] = KEY_ESC,
            ["KEY_BACKSPACE"] = KEY_BACKSPACE,
            ["KEY_TAB"] = KEY_TAB,
            ["KEY_ENTER"] = KEY_ENTER,
            ["KEY_KPASTERISK"] = KEY_KPASTERISK,
            ["KEY_NUMLOCK"] = KEY_NUMLOCK,
            ["KEY_KPMINUS"] = KEY_KPMINUS,
            ["KEY_KPPLUS"] = KEY_KPPLUS,
            ["KEY_KPDOT"] = KEY_KPDOT,
            ["KEY_KPENTER"] = KEY_KPENTER,
            ["KEY_KPSLASH"] = KEY_KPSLASH,
            ["KEY_DELETE"] = KEY_DELETE,
            ["KEY_KPEQUAL"] = KEY_KPEQUAL,
            ["KEY_KPCOMMA"] = KEY_KPCOMMA,
            ["KEY_0"] = KEY_0,
            ["KEY_KP0"] = KEY_KP0,
            ["KEY_KP1"] = KEY_KP1,
            ["KEY_KP2"] = KEY_KP2,
            ["KEY_KP3"] = KEY_KP3,
            ["KEY_KP4"] = KEY_KP4,
            ["KEY_KP5"] = KEY_KP5,
            ["KEY_KP6"] = KEY_KP6,
            ["KEY_KP7"] = KEY_KP7,
            ["KEY_KP8"] = KEY_KP8,
            ["KEY_KP9"] = KEY_KP9,
        };
        for (var digit = 1; digit <= 9; digit++)
        {
            names[$"KEY_{digit}"] = (ushort)(KEY_1 + digit - 1);
        }

        return names;
    }
}
