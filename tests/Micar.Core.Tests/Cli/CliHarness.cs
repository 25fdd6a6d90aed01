using Micar.Cli;

namespace Micar.Tests.Cli;

/// <summary>Runs the <c>micar</c> command in-process with captured standard output and error (tests using it belong to
/// the "console" collection, which runs them one at a time).</summary>
static class CliHarness
{
    /// <summary>The exit code and what was written to stdout and stderr.</summary>
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        var o = new StringWriter();
        var e = new StringWriter();
        Console.SetOut(o);
        Console.SetError(e);
        try { return (CliApp.RunAsync(args).GetAwaiter().GetResult(), o.ToString(), e.ToString()); }
        finally { Console.SetOut(oldOut); Console.SetError(oldErr); }
    }
}
