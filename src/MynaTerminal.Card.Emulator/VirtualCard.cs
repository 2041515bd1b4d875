using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MynaTerminal.Card.Apdu;
using MynaTerminal.Card.Data;
using MynaTerminal.Card.Emulator.Imaging;

namespace MynaTerminal.Card.Emulator;

/// <summary>
/// A virtual My Number Card that answers APDUs like the real one (card-protocol.md §12): current DF and EF,
/// a verified-key set cleared by power-off and by selecting another application (not by a warm reset), retry
/// counters that persist across power cycles for the life of this instance, the access matrix of §3–§5, both READ
/// BINARY forms, and status words exactly as the document gives them (63 Cx, then 63 C0, then 69 84). Keys are real
/// RSA-2048 and certificates real X.509 under the <see cref="EmulatorPki"/> TEST CA. Every command is recorded in
/// <see cref="AuditLog"/> so tests can prove what the terminal never sent. Thread-safe.
/// </summary>
public sealed class VirtualCard
{
    private readonly Lock _gate = new();
    private readonly IReadOnlyList<EmulatedApplication> _applications;
    private readonly Dictionary<(CardApplication, ushort), int> _tries = [];
    private readonly HashSet<ushort> _verified = [];
    private readonly List<ApduAuditEntry> _audit = [];
    private readonly byte[]? _authCertificate;
    private EmulatedApplication? _application;
    private ushort? _currentFile;
    private bool _powered;
    private bool _firstSincePowerOn;
    private int _commandCount;
    private int _commandsSinceInsertion;

    public VirtualCard(VirtualCardPersona persona, TimeProvider? clock = null)
    {
        Persona = persona ?? throw new ArgumentNullException(nameof(persona));
        var content = CardContentBuilder.Build(persona, (clock ?? TimeProvider.System).GetUtcNow());
        _applications = content.Applications;
        _authCertificate = content.AuthCertificate;
        PhotoJp2 = content.PhotoJp2;
        Photo = content.Photo;
        foreach (var application in _applications)
        {
            foreach (var key in application.Files.Values.OfType<KeyFile>())
            {
                _tries[(application.Id, key.Id)] = key.InitialTries;
            }
        }
    }

    /// <summary>A card for a built-in persona (<see cref="VirtualCardPersonas"/>).</summary>
    public static VirtualCard Create(string personaId, TimeProvider? clock = null) => new(VirtualCardPersonas.Get(personaId), clock);

    public VirtualCardPersona Persona { get; }

    /// <summary>The contactless ATR a PC/SC reader would make up (never used to identify the card).</summary>
    public ReadOnlyMemory<byte> Atr { get; init; } = CardConstants.ContactlessAtr;

    public VirtualCardFaults Faults { get; } = new();

    /// <summary>The user-authentication certificate on the card (null on a chip that is not a My Number credential).</summary>
    public X509Certificate2? AuthenticationCertificate => _authCertificate is null ? null : X509CertificateLoader.LoadCertificate(_authCertificate);

    /// <summary>The DER of <see cref="AuthenticationCertificate"/>.</summary>
    public ReadOnlyMemory<byte> AuthenticationCertificateDer => _authCertificate;

    /// <summary>The chip photo as stored in DF27 (JPEG 2000, JP2 container); null without a 券面AP.</summary>
    public byte[]? PhotoJp2 { get; }

    /// <summary>The greyscale source of the chip photo (what the patient looks like, for simulated cameras).</summary>
    public GreyImage? Photo { get; }

    public bool IsPowered
    {
        get { lock (_gate) { return _powered; } }
    }

    public CardApplication CurrentApplication
    {
        get { lock (_gate) { return _application?.Id ?? CardApplication.None; } }
    }

    public ushort? CurrentFile
    {
        get { lock (_gate) { return _currentFile; } }
    }

    /// <summary>Commands received in the card's life.</summary>
    public int CommandCount
    {
        get { lock (_gate) { return _commandCount; } }
    }

    /// <summary>Commands received since the card was last inserted.</summary>
    public int CommandsSinceInsertion
    {
        get { lock (_gate) { return _commandsSinceInsertion; } }
    }

    /// <summary>True when <see cref="VirtualCardFaults.PullAfterCommands"/> says the card should leave the reader now.</summary>
    public bool PullDue
    {
        get { lock (_gate) { return Faults.PullAfterCommands is { } n && _commandsSinceInsertion >= n; } }
    }

    /// <summary>A copy of every command received, in order.</summary>
    public IReadOnlyList<ApduAuditEntry> AuditLog
    {
        get { lock (_gate) { return _audit.ToArray(); } }
    }

    public void ClearAuditLog()
    {
        lock (_gate)
        {
            _audit.Clear();
        }
    }

    /// <summary>Renders the printed card face (for the card-face camera and OCR work).</summary>
    public CardFaceImage RenderCardFace() => CardFaceRenderer.Render(Persona, Photo);

    /// <summary>Tries left on a key (EF) of an application, as the card's counter holds it.</summary>
    public int TriesLeft(CardApplication application, ushort keyId)
    {
        lock (_gate)
        {
            return _tries.TryGetValue((application, keyId), out var tries) ? tries : throw new ArgumentException($"No key {keyId:X4} in {application}.");
        }
    }

    /// <summary>True when the key is verified in the current application (security status).</summary>
    public bool IsVerified(ushort keyId)
    {
        lock (_gate)
        {
            return _verified.Contains(keyId);
        }
    }

    /// <summary>The terminal (or vpcd) saw the card arrive: restarts the per-insertion command count used by faults.</summary>
    public void NoteInserted()
    {
        lock (_gate)
        {
            _commandsSinceInsertion = 0;
        }
    }

    /// <summary>Power on (cold): power-on state, nothing selected, nothing verified.</summary>
    public void PowerOn()
    {
        lock (_gate)
        {
            _powered = true;
            _firstSincePowerOn = true;
            ResetSecurityState();
        }
    }

    /// <summary>Power off (the card left the field, or SCARD_UNPOWER_CARD): every verified key is cleared.</summary>
    public void PowerOff()
    {
        lock (_gate)
        {
            _powered = false;
            ResetSecurityState();
        }
    }

    /// <summary>
    /// Warm reset (SCARD_RESET_CARD). Like the real card, this does NOT clear verified keys (card-protocol.md §6);
    /// the selected application stays too.
    /// </summary>
    public void WarmReset()
    {
        lock (_gate)
        {
            _powered = true;
        }
    }

    /// <summary>Processes one command APDU and returns the response (data + SW1 SW2), after any injected fault.</summary>
    public byte[] Process(ReadOnlySpan<byte> command)
    {
        lock (_gate)
        {
            _commandCount++;
            _commandsSinceInsertion++;
            var application = _application?.Id ?? CardApplication.None;
            var currentFile = _currentFile;
            ushort? target = null;
            CardApplication? selected = null;
            CommandApdu.TryParse(command, out var apdu);

            byte[] response;
            if (!_powered)
            {
                response = Sw(StatusWord.InternalError);
            }
            else if ((_firstSincePowerOn && Faults.FirstCommandAfterPowerOnFails) || Faults.InternalErrorOnCommand == _commandsSinceInsertion)
            {
                response = Sw(StatusWord.InternalError);
            }
            else if (apdu is null)
            {
                response = Sw(StatusWord.WrongLength);
            }
            else
            {
                response = Dispatch(apdu, ref target, ref selected);
            }

            _firstSincePowerOn = false;
            _audit.Add(new ApduAuditEntry(
                _commandCount,
                command.Length > 0 ? command[0] : (byte)0,
                command.Length > 1 ? command[1] : (byte)0,
                command.Length > 2 ? command[2] : (byte)0,
                command.Length > 3 ? command[3] : (byte)0,
                Masked(apdu),
                apdu?.ExpectedLength,
                application,
                currentFile,
                target,
                selected,
                new StatusWord(response[^2], response[^1])));

            if (Faults.TruncateResponseOfCommand == _commandsSinceInsertion)
            {
                response = response[..Math.Clamp(Faults.TruncatedLength, 0, response.Length)];
            }

            return response;
        }
    }

    private byte[] Dispatch(CommandApdu apdu, ref ushort? target, ref CardApplication? selected)
    {
        if ((apdu.Cla & 0x03) != 0)
        {
            return Sw(StatusWord.ChannelNotSupported);
        }

        if ((apdu.Cla & 0x0C) != 0)
        {
            // Secure messaging: only the text AP has it (not emulated); 券面/共通 answer 66 F1, the others 69 82.
            return _application?.Id is CardApplication.CardFace or CardApplication.CommonCard ? Sw(0x66F1) : Sw(StatusWord.SecurityStatusNotSatisfied);
        }

        return (apdu.Cla, apdu.Ins) switch
        {
            (0x00, CardConstants.Ins.Select) => Select(apdu, ref target, ref selected),
            (0x00, CardConstants.Ins.ReadBinary) => ReadBinary(apdu, ref target),
            (0x00, CardConstants.Ins.ReadRecord) => ReadRecord(apdu, ref target),
            (0x00, CardConstants.Ins.Verify) => Verify(apdu, ref target),
            (0x00, CardConstants.Ins.ChangeReferenceData) => ChangeReferenceData(apdu, ref target),
            (0x80, CardConstants.Ins.ComputeDigitalSignature) => Sign(apdu, ref target),
            (0x00, CardConstants.Ins.GetChallenge) => GetChallenge(apdu),
            (0x00, CardConstants.Ins.GetData) => GetData(apdu),
            (0x00, CardConstants.Ins.InternalAuthenticate) => Sw(StatusWord.ConditionsNotSatisfied),
            (0x80, CardConstants.Ins.SetSessionKey) => _application?.Id is CardApplication.CardFace or CardApplication.CommonCard ? Sw(0x66F1) : Sw(StatusWord.SecurityStatusNotSatisfied),
            (0x80, CardConstants.Ins.ChangeKey) => Sw(StatusWord.SecurityStatusNotSatisfied),
            (0x80, CardConstants.Ins.LastCommandIndicator) => Persona.Kind == VirtualCardKind.IPhone ? Sw(StatusWord.Success) : Sw(StatusWord.WrongLength),
            (0x00 or 0x80, _) => Sw(StatusWord.InstructionNotSupported),
            _ => Sw(StatusWord.ClassNotSupported),
        };
    }

    private byte[] Select(CommandApdu apdu, ref ushort? target, ref CardApplication? selected)
    {
        var data = apdu.Data.Span;
        switch (apdu.P1)
        {
            case CardConstants.Select.ByAid when apdu.P2 is 0x0C or 0x00:
                if (data.IsEmpty)
                {
                    return Sw(StatusWord.WrongLength);
                }

                if (CardConstants.Aid.IssuerSecurityDomain.Span.StartsWith(data))
                {
                    selected = CardApplication.IssuerSecurityDomain;
                    _application = null;
                    ResetSecurityState();
                    return Sw(StatusWord.Success);
                }

                // Full AID or a prefix of one (JICSAP 4.2(1)).
                EmulatedApplication? match = null;
                foreach (var candidate in _applications)
                {
                    if (candidate.Aid.AsSpan().StartsWith(data))
                    {
                        match = candidate;
                        break;
                    }
                }

                if (match is null)
                {
                    return Sw(StatusWord.FileNotFound);
                }

                selected = match.Id;
                if (!ReferenceEquals(match, _application))
                {
                    _verified.Clear();
                }

                _application = match;
                _currentFile = null;
                return Sw(StatusWord.Success);

            case CardConstants.Select.ByFileId when apdu.P2 is 0x0C or 0x00:
                if (data.Length != 2)
                {
                    return Sw(StatusWord.WrongLength);
                }

                var fileId = (ushort)((data[0] << 8) | data[1]);
                target = fileId;
                if (_application is null || !_application.Files.ContainsKey(fileId))
                {
                    return Sw(StatusWord.FileNotFound);
                }

                _currentFile = fileId;
                return Sw(StatusWord.Success);

            case CardConstants.Select.MasterFile when apdu.P2 is 0x00 or 0x0C:
                if (!data.IsEmpty)
                {
                    return Sw(StatusWord.FileNotFound); // 3F00 by FID
                }

                // Unreliable on this card: 6A 86 right after reset, 90 00 (DF unchanged) once an AP is selected.
                return _application is null ? Sw(StatusWord.WrongParameters) : Sw(StatusWord.Success);

            default:
                return Sw(StatusWord.WrongParameters);
        }
    }

    private byte[] ReadBinary(CommandApdu apdu, ref ushort? target)
    {
        if (!apdu.Data.IsEmpty || apdu.ExpectedLength is not { } expected)
        {
            return Sw(StatusWord.WrongLength);
        }

        ushort fileId;
        int offset;
        var bySfi = (apdu.P1 & 0x80) != 0;
        if (bySfi)
        {
            if ((apdu.P1 & 0x60) != 0 || (apdu.P1 & 0x1F) == 0)
            {
                return Sw(StatusWord.WrongParameters);
            }

            fileId = (ushort)(apdu.P1 & 0x1F);
            offset = apdu.P2;
        }
        else
        {
            if (_currentFile is not { } current)
            {
                return Sw(StatusWord.CommandNotAllowed);
            }

            fileId = current;
            offset = (apdu.P1 << 8) | apdu.P2;
        }

        target = fileId;
        if (_application is null || !_application.Files.TryGetValue(fileId, out var file))
        {
            return Sw(StatusWord.FileNotFound);
        }

        if (file is not BinaryFile binary)
        {
            return Sw(StatusWord.IncompatibleFileStructure);
        }

        if (!binary.Read.Allows(_verified))
        {
            return Sw(StatusWord.SecurityStatusNotSatisfied);
        }

        if (bySfi)
        {
            _currentFile = fileId;
        }

        if (offset >= binary.Content.Length)
        {
            return Sw(StatusWord.OffsetBeyondEnd);
        }

        var count = Math.Min(expected, binary.Content.Length - offset);
        return WithSw(binary.Content.AsSpan(offset, count), StatusWord.Success);
    }

    private byte[] ReadRecord(CommandApdu apdu, ref ushort? target)
    {
        if ((apdu.P2 & 0x07) != 0x04 || apdu.P1 == 0)
        {
            return Sw(StatusWord.WrongParameters);
        }

        var sfi = apdu.P2 >> 3;
        ushort? fileId = sfi == 0 ? _currentFile : (ushort)sfi;
        target = fileId;
        if (fileId is null || _application is null || !_application.Files.TryGetValue(fileId.Value, out var file))
        {
            return Sw(StatusWord.FileNotFound);
        }

        if (file is not RecordFile records)
        {
            return Sw(StatusWord.IncompatibleFileStructure);
        }

        if (!records.Read.Allows(_verified))
        {
            return Sw(StatusWord.SecurityStatusNotSatisfied);
        }

        if (apdu.P1 > records.Records.Length)
        {
            return Sw(0x6A83);
        }

        _currentFile = fileId;
        var record = records.Records[apdu.P1 - 1];
        var count = Math.Min(apdu.ExpectedLength ?? record.Length, record.Length);
        return WithSw(record.AsSpan(0, count), StatusWord.Success);
    }

    private byte[] Verify(CommandApdu apdu, ref ushort? target)
    {
        if (apdu.P1 != 0x00 || (apdu.P2 & 0x80) == 0 || (apdu.P2 & 0x60) != 0)
        {
            return Sw(StatusWord.WrongParameters);
        }

        if (!TryResolveKeyFile(apdu.P2, out var keyId, out var failure))
        {
            return failure;
        }

        target = keyId;
        if (_application is null || !_application.Files.TryGetValue(keyId, out var file))
        {
            return Sw(StatusWord.ReferencedDataNotFound);
        }

        if (file is not KeyFile key)
        {
            return Sw(StatusWord.IncompatibleFileStructure);
        }

        var tries = _tries[(_application.Id, keyId)];
        var secret = apdu.Data.Span;
        if (secret.IsEmpty)
        {
            return Sw(StatusWord.TriesRemaining(tries)); // 63 C0 when blocked
        }

        if (secret.Length > 16)
        {
            return Sw(StatusWord.WrongLength);
        }

        if (tries == 0)
        {
            return Sw(StatusWord.ReferenceDataBlocked);
        }

        if (secret.Length == key.Secret.Length && CryptographicOperations.FixedTimeEquals(secret, key.Secret))
        {
            _tries[(_application.Id, keyId)] = key.MaxTries;
            _verified.Add(keyId);
            return Sw(StatusWord.Success);
        }

        _tries[(_application.Id, keyId)] = --tries;
        _verified.Remove(keyId);
        return Sw(StatusWord.TriesRemaining(tries));
    }

    private byte[] ChangeReferenceData(CommandApdu apdu, ref ushort? target)
    {
        if (apdu.P1 != 0x01 || (apdu.P2 & 0x80) == 0 || apdu.Data.IsEmpty || apdu.Data.Length > 16)
        {
            return Sw(StatusWord.WrongParameters);
        }

        if (!TryResolveKeyFile(apdu.P2, out var keyId, out var failure))
        {
            return failure;
        }

        target = keyId;
        if (_application is null || !_application.Files.TryGetValue(keyId, out var file) || file is not KeyFile key)
        {
            return Sw(StatusWord.ReferencedDataNotFound);
        }

        if (!_verified.Contains(keyId))
        {
            return Sw(StatusWord.SecurityStatusNotSatisfied);
        }

        key.Secret = apdu.Data.ToArray();
        return Sw(StatusWord.Success);
    }

    private byte[] Sign(CommandApdu apdu, ref ushort? target)
    {
        if (_application is null)
        {
            return Sw(StatusWord.ConditionsNotSatisfied);
        }

        PrivateKeyFile? key;
        if (apdu.P2 == 0x00)
        {
            key = _application.DefaultKey;
            target = key?.Id;
        }
        else if ((apdu.P2 & 0x80) != 0 && (apdu.P2 & 0x60) == 0)
        {
            if (!TryResolveKeyFile(apdu.P2, out var keyId, out var failure))
            {
                return failure;
            }

            target = keyId;
            if (!_application.Files.TryGetValue(keyId, out var file))
            {
                return Sw(StatusWord.ReferencedDataNotFound);
            }

            key = file as PrivateKeyFile;
            if (key is null)
            {
                return Sw(StatusWord.IncompatibleFileStructure);
            }
        }
        else
        {
            return Sw(StatusWord.WrongParameters);
        }

        if (key is null)
        {
            return Sw(StatusWord.ReferencedDataNotFound);
        }

        if (!key.Use.Allows(_verified))
        {
            return Sw(StatusWord.SecurityStatusNotSatisfied);
        }

        if (Persona.Kind == VirtualCardKind.IPhone && Faults.PhoneDeclines && _application.Id == CardApplication.Jpki)
        {
            return Sw(StatusWord.ConditionsNotSatisfied);
        }

        var data = apdu.Data.Span;
        byte[] digestInfo;
        switch (apdu.P1)
        {
            case CardConstants.SignatureScheme.Pkcs1Raw:
                if (data.Length is < 1 or > CardConstants.SignatureScheme.MaxRawInputLength)
                {
                    return Sw(StatusWord.WrongLength);
                }

                digestInfo = data.ToArray();
                break;
            case CardConstants.SignatureScheme.Sha256Hash:
                if (data.Length != 32)
                {
                    return Sw(StatusWord.WrongLength);
                }

                digestInfo = [.. CardConstants.Sha256DigestInfoPrefix.Span, .. data];
                break;
            case CardConstants.SignatureScheme.Sha256Message:
                if (data.Length is < 1 or > 255)
                {
                    return Sw(StatusWord.WrongLength);
                }

                digestInfo = RsaPkcs1.Sha256DigestInfo(data);
                break;
            default:
                return Sw(StatusWord.WrongParameters);
        }

        return WithSw(EmulatorPki.SignRaw(key.Key, digestInfo), StatusWord.Success);
    }

    private static byte[] GetChallenge(CommandApdu apdu)
    {
        if (apdu.P1 != 0 || apdu.P2 != 0 || apdu.ExpectedLength is not { } length)
        {
            return Sw(StatusWord.WrongParameters);
        }

        return length > CommandApdu.MaxShortExpectedLength
            ? Sw(StatusWord.ConditionsNotSatisfied)
            : WithSw(RandomNumberGenerator.GetBytes(length), StatusWord.Success);
    }

    private byte[] GetData(CommandApdu apdu)
    {
        if (_application is not null)
        {
            return Sw(StatusWord.ReferencedDataNotFound); // MF-level objects only
        }

        var value = ((apdu.P1 << 8) | apdu.P2) switch
        {
            0x00F0 => System.Text.Encoding.ASCII.GetBytes(Persona.MunicipalityCode),
            0x00F2 => System.Text.Encoding.ASCII.GetBytes(Persona.CardExpiry.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture)),
            _ => null,
        };
        return value is null ? Sw(StatusWord.ReferencedDataNotFound) : WithSw(value, StatusWord.Success);
    }

    /// <summary>P2 = 80 → the current EF; 80+SFI → that EF.</summary>
    private bool TryResolveKeyFile(byte p2, out ushort keyId, out byte[] failure)
    {
        failure = [];
        if (p2 == CardConstants.CurrentFileReference)
        {
            if (_currentFile is not { } current)
            {
                keyId = 0;
                failure = Sw(StatusWord.CommandNotAllowed);
                return false;
            }

            keyId = current;
            return true;
        }

        keyId = (ushort)(p2 & 0x1F);
        return true;
    }

    private void ResetSecurityState()
    {
        _application = null;
        _currentFile = null;
        _verified.Clear();
    }

    private static ReadOnlyMemory<byte> Masked(CommandApdu? apdu)
    {
        if (apdu is null || apdu.Data.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (apdu.Ins is CardConstants.Ins.Verify or CardConstants.Ins.ChangeReferenceData or CardConstants.Ins.ChangeKey)
        {
            var masked = new byte[apdu.Data.Length];
            Array.Fill(masked, (byte)'*');
            return masked;
        }

        return apdu.Data.ToArray();
    }

    private static byte[] Sw(StatusWord status) => [status.Sw1, status.Sw2];

    private static byte[] Sw(ushort status) => [(byte)(status >> 8), (byte)status];

    private static byte[] WithSw(ReadOnlySpan<byte> data, StatusWord status) => [.. data, status.Sw1, status.Sw2];
}
