using MynaTerminal.Audio;
using MynaTerminal.ClinicLink;
using MynaTerminal.Terminal;

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddJsonFile("/etc/mynaterm/appsettings.json", optional: true).AddEnvironmentVariables("MYNATERM_");

builder.Services
    .AddClinicLink(builder.Configuration)
    .AddPatientSession(builder.Configuration)
    .AddDevices(builder.Configuration)
    .AddScreens(builder.Configuration)
    .AddAudioGuidance(builder.Configuration)
    .AddSystemd();

await builder.Build().RunAsync();
