namespace MynaTerminal.Pcsc;

/// <summary>
/// Where <see cref="PcscCardTerminal"/> gets its contexts. The real one calls <c>SCardEstablishContext</c>;
/// tests put a scripted pcscd behind it (the dotnet/iot "inject the bus" rule).
/// </summary>
internal interface IPcscContextFactory
{
    PcscResult<IPcscContext> Establish();
}

/// <summary>The context operations the terminal uses (implemented by <see cref="PcscContext"/>).</summary>
internal interface IPcscContext : IDisposable
{
    PcscResult<IReadOnlyList<string>> ListReaders();

    PcscError GetStatusChange(TimeSpan? timeout, IReadOnlyList<PcscReaderState> readers);

    PcscError Cancel();

    PcscResult<IPcscCard> Connect(string readerName, PcscShareMode shareMode, PcscProtocols preferredProtocols);
}

/// <summary>The card operations a connection uses (implemented by <see cref="PcscCard"/>).</summary>
internal interface IPcscCard : IDisposable
{
    PcscProtocols ActiveProtocol { get; }

    PcscResult<int> Transmit(ReadOnlySpan<byte> command, Span<byte> response);

    PcscResult<PcscCardStatus> Status();

    PcscError Disconnect(PcscDisposition disposition);
}

/// <summary>The factory over libpcsclite.</summary>
internal sealed class PcscLiteContextFactory(PcscScope scope = PcscScope.System) : IPcscContextFactory
{
    public PcscResult<IPcscContext> Establish() => PcscContext.Establish(scope).Map<IPcscContext>(context => context);
}
