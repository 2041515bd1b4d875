using MynaTerminal.Core.Session;

namespace MynaTerminal.Simulation;

/// <summary>Plays a patient script against the running terminal, waiting for screens as a person would.</summary>
public sealed class ScriptedPatient(
    ICardSlotSimulator reader,
    SimulatedInput input,
    SimulatedFaceCamera camera,
    ISessionMonitor monitor,
    TimeProvider clock)
{
    /// <summary>Raised before each step with its line number and a short description (PIN digits masked).</summary>
    public event Action<ScriptStep>? Stepping;

    public async Task RunAsync(IEnumerable<ScriptStep> steps, CancellationToken cancellationToken)
    {
        foreach (var step in steps)
        {
            Stepping?.Invoke(step);
            await RunStepAsync(step, cancellationToken);
        }
    }

    public async Task RunStepAsync(ScriptStep step, CancellationToken cancellationToken)
    {
        switch (step)
        {
            case ScriptStep.Insert insert:
                reader.Insert(insert.Persona);
                break;
            case ScriptStep.Remove:
                reader.Remove();
                camera.Show(null);
                break;
            case ScriptStep.Press press:
                foreach (var id in press.ActionIds)
                {
                    input.Press(id);
                }

                break;
            case ScriptStep.ShowFace face:
                camera.Show(face.Who);
                break;
            case ScriptStep.Pause pause:
                await Task.Delay(pause.Duration, clock, cancellationToken);
                break;
            case ScriptStep.Wait wait:
                await WaitForPhaseAsync(wait, cancellationToken);
                break;
        }
    }

    private async Task WaitForPhaseAsync(ScriptStep.Wait wait, CancellationToken cancellationToken)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(SessionSnapshot s)
        {
            if (s.Phase == wait.Phase)
            {
                reached.TrySetResult();
            }
        }

        monitor.SnapshotChanged += OnChanged;
        try
        {
            OnChanged(monitor.Current);
            await reached.Task.WaitAsync(wait.Timeout, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"script line {wait.Line}: the terminal did not reach {wait.Phase} within {wait.Timeout.TotalSeconds:0.#} s (it shows {monitor.Current.Phase}).");
        }
        finally
        {
            monitor.SnapshotChanged -= OnChanged;
        }
    }
}
