using System.Text.RegularExpressions;
using MynaTerminal.Core.Session;
using MynaTerminal.Simulation;

namespace MynaTerminal.Terminal.Tests;

/// <summary>The patient-script grammar: built-in scripts, each command's steps and action ids, and errors.</summary>
public sealed class PatientScriptTests
{
    public static TheoryData<string> BuiltInNames => new(PatientScript.BuiltIn.Keys);

    [Theory]
    [MemberData(nameof(BuiltInNames))]
    public void Every_built_in_script_parses_into_a_whole_visit(string name)
    {
        var steps = PatientScript.Parse(PatientScript.BuiltIn[name]);

        Assert.IsType<ScriptStep.Insert>(steps[0]);
        Assert.Contains(steps, s => s is ScriptStep.Remove);
        Assert.Equal(new ScriptStep.Wait(steps[^1].Line, SessionPhase.Idle, PatientScript.DefaultWait), steps[^1]);
        // Every pressed id is one the session understands.
        Assert.All(steps.OfType<ScriptStep.Press>().SelectMany(p => p.ActionIds), id => Assert.NotNull(ActionIds.ToEvent(id)));
        // Line numbers count every line, comments included, and go up.
        Assert.Equal(2, steps[0].Line);
        Assert.Equal(steps.Select(s => s.Line).Order(), steps.Select(s => s.Line));
    }

    [Theory]
    [InlineData("choose face", new[] { "method:face" })]
    [InlineData("choose pin", new[] { "method:pin" })]
    [InlineData("choose STAFF", new[] { "method:staff" })]
    [InlineData("pin 1234", new[] { "digit:1", "digit:2", "digit:3", "digit:4", "pin:ok" })]
    [InlineData("pin 0907", new[] { "digit:0", "digit:9", "digit:0", "digit:7", "pin:ok" })]
    [InlineData("confirm-last", new[] { "pin:confirm-last" })]
    [InlineData("consent all", new[] { "consent:all" })]
    [InlineData("consent individual yes no", new[] { "consent:individual", "consent:yes", "consent:no" })]
    [InlineData("consent individual no yes no", new[] { "consent:individual", "consent:no", "consent:yes", "consent:no" })]
    [InlineData("prescription electronic", new[] { "prescription:electronic" })]
    [InlineData("prescription paper", new[] { "prescription:paper" })]
    [InlineData("continue", new[] { "continue" })]
    [InlineData("back", new[] { "back" })]
    [InlineData("help", new[] { "help" })]
    [InlineData("lang en", new[] { "lang:en" })]
    [InlineData("staff approve", new[] { "staff:approve" })]
    [InlineData("staff resume", new[] { "staff:resume" })]
    [InlineData("staff cancel", new[] { "staff:cancel" })]
    [InlineData("press digit:7", new[] { "digit:7" })]
    [InlineData("  Choose   Pin  ", new[] { "method:pin" })]
    [InlineData("continue # the notice", new[] { "continue" })]
    public void Commands_press_the_right_action_ids(string line, string[] ids)
    {
        var step = Assert.Single(PatientScript.Parse(line));
        var press = Assert.IsType<ScriptStep.Press>(step);
        Assert.Equal(ids, press.ActionIds);
        Assert.Equal(1, press.Line);
    }

    [Fact]
    public void Pressed_ids_turn_into_the_events_the_grammar_promises()
    {
        var events = PatientScript.Parse("pin 1234\nconsent individual yes no")
            .OfType<ScriptStep.Press>().SelectMany(p => p.ActionIds).Select(id => ActionIds.ToEvent(id)!).ToList();

        Assert.Equal<SessionEvent>(
            new List<SessionEvent>
            {
                new SessionEvent.PinDigit(1), new SessionEvent.PinDigit(2), new SessionEvent.PinDigit(3), new SessionEvent.PinDigit(4),
                new SessionEvent.PinSubmit(), new SessionEvent.ConsentIndividual(), new SessionEvent.ConsentAnswer(true),
                new SessionEvent.ConsentAnswer(false),
            },
            events);
    }

    [Fact]
    public void Card_camera_wait_and_pause_commands_make_their_steps()
    {
        var steps = PatientScript.Parse("""
            insert NORMAL
            remove
            wait MethodChoice
            wait pin 2.5
            face holder
            face stranger
            face photo
            face nobody
            pause 0.25
            """);

        Assert.Equal<ScriptStep>(
            [
                new ScriptStep.Insert(1, Persona.Get("normal")),
                new ScriptStep.Remove(2),
                new ScriptStep.Wait(3, SessionPhase.MethodChoice, TimeSpan.FromSeconds(30)),
                new ScriptStep.Wait(4, SessionPhase.Pin, TimeSpan.FromSeconds(2.5)),
                new ScriptStep.ShowFace(5, null),
                new ScriptStep.ShowFace(6, SimulatedFaceCamera.Stranger),
                new ScriptStep.ShowFace(7, SimulatedFaceCamera.PhotoPrefix + "holder"),
                new ScriptStep.ShowFace(8, SimulatedFaceCamera.Nobody),
                new ScriptStep.Pause(9, TimeSpan.FromMilliseconds(250)),
            ],
            steps);
    }

    [Fact]
    public void Comments_blank_lines_and_CRLF_are_skipped_but_keep_line_numbers()
    {
        var steps = PatientScript.Parse("# a patient\r\n\r\ninsert normal\r\n   # indented comment\r\nremove # gone\r\n");

        Assert.Equal<ScriptStep>([new ScriptStep.Insert(3, Persona.Get("normal")), new ScriptStep.Remove(5)], steps);
    }

    [Theory]
    [InlineData("fly away", "unknown command")]
    [InlineData("insert", "needs an argument")]
    [InlineData("insert nobody-known", "nobody-known")]
    [InlineData("pin 123", "four digits")]
    [InlineData("pin 12345", "four digits")]
    [InlineData("pin 12a4", "four digits")]
    [InlineData("pin", "needs an argument")]
    [InlineData("consent maybe", "consent all")]
    [InlineData("consent individual", "consent all")]
    [InlineData("consent individual yes perhaps", "perhaps")]
    [InlineData("prescription fax", "fax")]
    [InlineData("face alien", "alien")]
    [InlineData("staff dance", "dance")]
    [InlineData("wait Nowhere", "Nowhere")]
    [InlineData("wait Pin soon", "soon")]
    [InlineData("wait 3", "'3'")] // a phase by number is not a phase name
    [InlineData("wait Idle,Pin", "Idle,Pin")]
    [InlineData("wait Idle -5", "-5")]
    [InlineData("choose fingerprint", "fingerprint")]
    [InlineData("choose 7", "'7'")] // would otherwise silently press method:staff
    [InlineData("pause", "needs an argument")]
    [InlineData("pause x", "'x'")]
    [InlineData("pause -1", "-1")]
    [InlineData("pause NaN", "NaN")]
    [InlineData("lang", "needs an argument")]
    public void Errors_name_the_line_once(string bad, string mentions)
    {
        var script = $"insert normal\n# comment\n\n{bad}\nremove";

        var error = Assert.Throws<ScriptFormatException>(() => PatientScript.Parse(script));

        Assert.StartsWith("script line 4: ", error.Message, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(error.Message, "script line"));
        Assert.Contains(mentions, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseLine_uses_the_line_number_it_is_given()
    {
        var error = Assert.Throws<ScriptFormatException>(() => PatientScript.ParseLine("choose nothing", 42));
        Assert.StartsWith("script line 42: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(new ScriptStep.Remove(7), PatientScript.ParseLine("remove", 7));
    }
}
