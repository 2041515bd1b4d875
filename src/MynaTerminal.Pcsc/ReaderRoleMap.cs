using System.Text.RegularExpressions;
using MynaTerminal.Core.Cards;

namespace MynaTerminal.Pcsc;

/// <summary>
/// Gives reader names their <see cref="ReaderRole"/> from <see cref="PcscOptions.Readers"/>: by the first
/// matching rule, or, with no rules, by arrival (first free of CardTray, Phone). Pure: no PC/SC in here.
/// </summary>
internal sealed class ReaderRoleMap
{
    /// <summary>The roles handed out by arrival when no rule is configured, in order.</summary>
    internal static ReadOnlySpan<ReaderRole> PositionalRoles => [ReaderRole.CardTray, ReaderRole.Phone];

    private readonly (ReaderRole Role, Regex Pattern)[] _rules;

    public ReaderRoleMap(IEnumerable<ReaderRoleRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules
            .Select(rule => (rule.Role ?? throw new ArgumentException("A reader rule has no Role.", nameof(rules)),
                ReaderRoleRule.CreateRegex(rule.ReaderNamePattern)))
            .ToArray();
    }

    /// <summary>True when roles come from rules rather than from arrival order.</summary>
    public bool UsesPatterns => _rules.Length > 0;

    /// <summary>
    /// Roles for <paramref name="readers"/> (in pcscd's order). <paramref name="current"/> holds the roles given
    /// earlier: by arrival, a reader keeps its role while it stays plugged in, and new readers take the roles
    /// still free. Readers without a role are left out of the result.
    /// </summary>
    public IReadOnlyDictionary<string, ReaderRole> Assign(IReadOnlyList<string> readers, IReadOnlyDictionary<string, ReaderRole> current)
    {
        ArgumentNullException.ThrowIfNull(readers);
        ArgumentNullException.ThrowIfNull(current);
        var roles = new Dictionary<string, ReaderRole>(StringComparer.Ordinal);
        if (UsesPatterns)
        {
            foreach (var reader in readers)
            {
                foreach (var (role, pattern) in _rules)
                {
                    if (pattern.IsMatch(reader))
                    {
                        roles[reader] = role;
                        break;
                    }
                }
            }

            return roles;
        }

        foreach (var reader in readers)
        {
            if (current.TryGetValue(reader, out var kept))
            {
                roles[reader] = kept;
            }
        }

        foreach (var reader in readers)
        {
            if (roles.ContainsKey(reader))
            {
                continue;
            }

            foreach (var role in PositionalRoles)
            {
                if (!roles.ContainsValue(role))
                {
                    roles[reader] = role;
                    break;
                }
            }
        }

        return roles;
    }
}

/// <summary>Exponential back-off: <c>initial × 2^failures</c>, capped at <c>max</c>.</summary>
internal static class ReconnectBackoff
{
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan max)
    {
        if (failures <= 0)
        {
            return initial <= max ? initial : max;
        }

        var factor = Math.Pow(2, Math.Min(failures, 30));
        var ticks = Math.Min(initial.Ticks * factor, max.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}
