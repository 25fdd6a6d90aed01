using System.CommandLine;
using Micar.Cli;

var root = new RootCommand("micar — MicarVLMoE medical vision-language models on libtorch");
foreach (var command in Commands.All()) root.Subcommands.Add(command);
return await CliRunner.RunAsync(root, args);
