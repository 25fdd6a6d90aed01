return await Micar.Cli.CliApp.RunAsync(args);
