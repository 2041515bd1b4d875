using System.Diagnostics.CodeAnalysis;

namespace MynaTerminal.Pcsc;

/// <summary>
/// The closed result of a pcsc-lite call that yields a value: <see cref="Ok"/> or <see cref="Error"/>.
/// The safe layer never throws for PC/SC faults; <see cref="GetValueOrThrow"/> is the only throwing door.
/// Calls without a value return <see cref="PcscError"/> itself.
/// </summary>
/// <typeparam name="T">The value of a successful call.</typeparam>
public abstract record PcscResult<T>
{
    private PcscResult() { }

    /// <summary>The call succeeded.</summary>
    public sealed record Ok(T Value) : PcscResult<T>;

    /// <summary>The call failed with <paramref name="Code"/> (never <see cref="PcscError.Success"/>).</summary>
    public sealed record Error(PcscError Code) : PcscResult<T>;

    /// <summary>True for <see cref="Ok"/>.</summary>
    public bool IsOk => this is Ok;

    /// <summary><see cref="PcscError.Success"/> for <see cref="Ok"/>, else the failure code.</summary>
    public PcscError ErrorCode => this is Error error ? error.Code : PcscError.Success;

    /// <summary>The value, when there is one.</summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value)
    {
        if (this is Ok ok)
        {
            value = ok.Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>The value, or <see cref="PcscException"/> (convenience layer).</summary>
    public T GetValueOrThrow() => this switch
    {
        Ok ok => ok.Value,
        Error error => throw new PcscException(error.Code),
        _ => throw new InvalidOperationException("Unreachable."),
    };

    /// <summary>Transforms the value of <see cref="Ok"/>; passes <see cref="Error"/> through.</summary>
    public PcscResult<TOut> Map<TOut>(Func<T, TOut> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        return this switch
        {
            Ok ok => new PcscResult<TOut>.Ok(map(ok.Value)),
            Error error => new PcscResult<TOut>.Error(error.Code),
            _ => throw new InvalidOperationException("Unreachable."),
        };
    }

    /// <summary>A failure result (used where the type is implied: <c>return PcscResult&lt;T&gt;.Fail(code)</c>).</summary>
    public static PcscResult<T> Fail(PcscError code) => new Error(code);

    /// <summary>A success result.</summary>
    public static PcscResult<T> Success(T value) => new Ok(value);
}
