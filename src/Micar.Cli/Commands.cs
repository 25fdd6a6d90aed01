using System.CommandLine;


namespace Micar.Cli;

using Torch = Micar.Torch.Torch;

/// <summary>The micar subcommands.</summary>
static partial class Commands
{
    public static IEnumerable<Command> All()
    {
        yield return Version();
    }

    static Command Version()
    {
        var cmd = new Command("version", "Print the Micar and libtorch versions, threads and devices");
        cmd.SetAction(_ =>
        {
            Console.WriteLine($"micar      {typeof(Commands).Assembly.GetName().Version}");
            Console.WriteLine($"libtorch   {Torch.Version}");
            Console.WriteLine($"threads    {Torch.Threads}");
            var cuda = Torch.CudaIsAvailable ? $"{Torch.CudaDeviceCount} CUDA device(s)" : "none";
            Console.WriteLine($"devices    cpu; cuda: {cuda}");
            return 0;
        });
        return cmd;
    }
}
