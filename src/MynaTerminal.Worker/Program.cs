using MynaTerminal.Audio;
using MynaTerminal.ClinicLink;
using MynaTerminal.Core.Devices;
using MynaTerminal.Panel;
using MynaTerminal.Panel.Input;
using MynaTerminal.Simulation;
using MynaTerminal.Terminal;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddJsonFile("/etc/mynaterm/appsettings.json", optional: true).AddEnvironmentVariables("MYNATERM_");

builder.Services
    .AddClinicLink(builder.Configuration)
    .AddPatientSession(builder.Configuration)
    .AddDevices(builder.Configuration)
    .AddPanel(builder.Configuration)          // the real panel (Panel:Kind) before AddScreens, which only falls back to PNG files
    .AddScreens(builder.Configuration);

// Patients' input: the panel's touch, keypad and buttons (section "Input"), merged with the simulated input.
builder.Services.AddSingleton<IInputDevice>(sp => new CompositeInput(
    [sp.GetRequiredService<SimulatedInput>(), sp.GetRequiredService<CompositeInput>()]));

builder.Services
    .AddAudioGuidance(builder.Configuration)  // wraps the display and input registered above
    .AddSystemd();

await builder.Build().RunAsync();
