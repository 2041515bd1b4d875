using System.CommandLine;
using MynaTerminal.Cli;

var root = new RootCommand("mynaterm: maintenance CLI of the MynaTerminal clinic check-in terminal (マイナ保険証 reader).");
root.Subcommands.Add(SimulateCommand.Create());
root.Subcommands.Add(CardCommand.Create());
root.Subcommands.Add(GatewayCommand.Create());
root.Subcommands.Add(MqttBenchCommand.Create());
root.Subcommands.Add(FaceCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(ScreensCommand.Create());
root.Subcommands.Add(AudioCommand.Create());
return await root.Parse(args).InvokeAsync();
