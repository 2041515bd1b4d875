using MynaTerminal.Core.Cards;

namespace MynaTerminal.Pcsc.Tests;

public sealed class ReaderRoleMapTests
{
    private static readonly Dictionary<string, ReaderRole> None = [];

    [Fact]
    public void Without_rules_the_first_reader_is_the_card_tray_and_the_second_the_phone_reader()
    {
        var map = new ReaderRoleMap([]);
        var roles = map.Assign(["Virtual PCD 00 00", "Virtual PCD 00 01", "Third 00 00"], None);
        Assert.Equal(ReaderRole.CardTray, roles["Virtual PCD 00 00"]);
        Assert.Equal(ReaderRole.Phone, roles["Virtual PCD 00 01"]);
        Assert.False(roles.ContainsKey("Third 00 00"));
    }

    [Fact]
    public void Without_rules_a_reader_keeps_its_role_while_plugged_in()
    {
        var map = new ReaderRoleMap([]);
        // The tray reader was unplugged and pcscd now lists the phone reader first.
        var before = new Dictionary<string, ReaderRole> { ["Phone reader 00 00"] = ReaderRole.Phone };
        var roles = map.Assign(["Phone reader 00 00", "Tray reader 00 00"], before);
        Assert.Equal(ReaderRole.Phone, roles["Phone reader 00 00"]);
        Assert.Equal(ReaderRole.CardTray, roles["Tray reader 00 00"]);
    }

    [Fact]
    public void With_rules_the_first_matching_rule_wins_and_unmatched_readers_get_no_role()
    {
        var map = new ReaderRoleMap(
        [
            new ReaderRoleRule { Role = ReaderRole.Phone, ReaderNamePattern = @"ACR1252.* 00 00$" },
            new ReaderRoleRule { Role = ReaderRole.CardTray, ReaderNamePattern = "acs acr" },
            new ReaderRoleRule { Role = ReaderRole.CardTray, ReaderNamePattern = "^SONY FeliCa" },
        ]);
        var roles = map.Assign(["ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00", "ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 01 00", "SONY FeliCa Port/PaSoRi 4.0 00 00", "Virtual PCD 00 00"], None);
        Assert.Equal(ReaderRole.Phone, roles["ACS ACR1252 Dual Reader [ACR1252 Dual Reader PICC] 00 00"]);
        Assert.Equal(ReaderRole.CardTray, roles["ACS ACR1252 Dual Reader [ACR1252 Dual Reader SAM] 01 00"]); // case-insensitive
        Assert.Equal(ReaderRole.CardTray, roles["SONY FeliCa Port/PaSoRi 4.0 00 00"]);
        Assert.False(roles.ContainsKey("Virtual PCD 00 00"));
    }

    [Fact]
    public void With_rules_earlier_roles_do_not_matter()
    {
        var map = new ReaderRoleMap([new ReaderRoleRule { Role = ReaderRole.Phone, ReaderNamePattern = "00 00$" }]);
        var roles = map.Assign(["Virtual PCD 00 00"], new Dictionary<string, ReaderRole> { ["Virtual PCD 00 00"] = ReaderRole.CardTray });
        Assert.Equal(ReaderRole.Phone, roles["Virtual PCD 00 00"]);
    }

    [Theory]
    [InlineData(0, 100)]
    [InlineData(1, 200)]
    [InlineData(2, 400)]
    [InlineData(3, 800)]
    [InlineData(4, 1000)]
    [InlineData(50, 1000)]
    [InlineData(int.MaxValue, 1000)]
    public void Back_off_doubles_and_is_capped(int failures, int expectedMilliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds),
            ReconnectBackoff.Delay(failures, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)));
}
