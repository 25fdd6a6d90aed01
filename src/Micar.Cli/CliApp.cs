using System.CommandLine;

namespace Micar.Cli;

/// <summary>The <c>micar</c> command line as a callable (the executable's whole body; tests call it in-process).</summary>
public static class CliApp
{
    /// <summary>The command tree.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("micar — MicarVLMoE medical vision-language models on libtorch");
        foreach (var command in Commands.All()) root.Subcommands.Add(command);
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>; returns the exit code (0 ok, 1 failure, 2 usage or input error).</summary>
    public static Task<int> RunAsync(string[] args) => CliRunner.RunAsync(Root(), args);
}
