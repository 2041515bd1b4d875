using MynaTerminal.Core.Cards;

namespace MynaTerminal.Core.Results;

/// <summary>How the patient's identity was confirmed (本人確認).</summary>
public enum IdentityMethod
{
    /// <summary>顔認証: live face against the chip photo.</summary>
    Face,
    /// <summary>暗証番号: the 4-digit JPKI user-auth PIN.</summary>
    Pin,
    /// <summary>目視確認: staff compared the patient with the card photo.</summary>
    Visual,
    /// <summary>iPhone: Face ID / Touch ID on the phone itself.</summary>
    PhoneBiometric,
}

/// <summary>Coarse face-match score band: published instead of the score itself.</summary>
public enum FaceScoreBand
{
    Low,
    Medium,
    High,
}

/// <summary>Short guidance shown while the camera looks for a good face (quality gates).</summary>
public enum FaceHint
{
    None,
    NoFace,
    SeveralFaces,
    TooFar,
    TooClose,
    OffCentre,
    TurnToCamera,
    HoldStill,
    TooDark,
    BackLight,
    RemoveMask,
}

/// <summary>The result of one face-authentication attempt.</summary>
public abstract record FaceOutcome
{
    private FaceOutcome() { }

    /// <summary>Matched with live, real frames.</summary>
    public sealed record Matched(FaceScoreBand Band, bool LivenessPassed) : FaceOutcome;

    /// <summary>No match within the time limit; <paramref name="Hint"/> is the best guidance for a retry.</summary>
    public sealed record NotMatched(FaceHint Hint) : FaceOutcome;

    /// <summary>Liveness failed (photo, screen or mask attack suspected).</summary>
    public sealed record SpoofSuspected : FaceOutcome;

    /// <summary>The card face could not be read for 照合番号B; no VERIFY was sent.</summary>
    public sealed record CardFaceUnreadable : FaceOutcome;

    /// <summary>The card refused 照合番号B or the 券面 data was broken: never retried blindly.</summary>
    public sealed record CardFaceRejected(string Detail) : FaceOutcome;

    /// <summary>A device or card fault.</summary>
    public sealed record Failed(string Detail) : FaceOutcome;
}

/// <summary>The result of a PIN VERIFY the patient asked for (plus the nonce signature as proof of possession).</summary>
public abstract record PinOutcome
{
    private PinOutcome() { }

    /// <summary>Verified. On Android the certificate can only be read now, so it comes with the outcome.</summary>
    public sealed record Verified(CertificateInfo? Certificate) : PinOutcome;

    /// <summary>Wrong PIN; the card's counter now reads <paramref name="TriesLeft"/>.</summary>
    public sealed record Wrong(int TriesLeft) : PinOutcome;

    /// <summary>The attempt used the last try (63 C0) or the key was already blocked (69 84).</summary>
    public sealed record Blocked : PinOutcome;

    public sealed record Failed(string Detail) : PinOutcome;
}

/// <summary>The result of the iPhone confirming on the phone (Face ID / Touch ID) and signing the nonce.</summary>
public abstract record PhoneOutcome
{
    private PhoneOutcome() { }

    public sealed record Confirmed(CertificateInfo Certificate) : PhoneOutcome;

    public sealed record Declined : PhoneOutcome;

    public sealed record Failed(string Detail) : PhoneOutcome;
}
