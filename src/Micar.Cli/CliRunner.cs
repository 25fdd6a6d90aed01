using System.CommandLine;

namespace Micar.Cli;

/// <summary>Runs the command tree; any exception becomes one line on stderr and a non-zero exit code.</summary>
static class CliRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            return await root.Parse(args).InvokeAsync(config);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("micar: cancelled");
            return 130;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"micar: {Describe(e)}");
            if (Environment.GetEnvironmentVariable("MICAR_DEBUG") == "1") Console.Error.WriteLine(e);
            return e is UserError ? 2 : 1;
        }
    }

    static string Describe(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Describe(inner),
        _ => e.Message.ReplaceLineEndings(" "),
    };
}

/// <summary>An error in what the user asked for (missing file, bad option value); exit code 2.</summary>
sealed class UserError(string message) : Exception(message);
