using System.CommandLine;
using Micar.Data;
using Micar.Data.Images;
using Micar.Layers;
using Micar.Model;
using Micar.Spec;
using Micar.Torch.Serialization;
using Micar.Training;

namespace Micar.Cli;

/// <summary>Runs the command tree; any exception becomes one line on stderr and a non-zero exit code: 2 for usage and
/// input errors (bad option, missing or malformed file, image, spec, checkpoint, CSV/TSV), 1 for internal failures,
/// 130 when cancelled.</summary>
static class CliRunner
{
    /// <summary>The arguments of this invocation (the data-parallel launcher starts its workers with them).</summary>
    public static string[] Arguments { get; private set; } = [];

    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        Arguments = args;
        var config = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
            {
                foreach (var error in parsed.Errors) Console.Error.WriteLine($"micar: {Describe(error)}");
                Console.Error.WriteLine($"micar: see '{CommandPath(parsed)} --help'");
                return 2;
            }
            return await parsed.InvokeAsync(config);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("micar: cancelled");
            return 130;
        }
        catch (Exception e)
        {
            var inner = Unwrap(e);
            Console.Error.WriteLine($"micar: {Message(inner)}");
            if (Environment.GetEnvironmentVariable("MICAR_DEBUG") == "1") Console.Error.WriteLine(e);
            return IsInputError(inner) ? 2 : 1;
        }
    }

    /// <summary>A parse error naming its option when System.CommandLine's text does not (e.g. a value outside
    /// AcceptOnlyFromAmong).</summary>
    static string Describe(System.CommandLine.Parsing.ParseError error)
    {
        var option = error.SymbolResult switch
        {
            System.CommandLine.Parsing.OptionResult o => o.Option.Name,
            System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult o } => o.Option.Name,
            _ => null,
        };
        return option is null || error.Message.Contains(option, StringComparison.Ordinal) ? error.Message : $"{option}: {error.Message}";
    }

    static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var r = parsed.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Add(r.Command is RootCommand ? "micar" : r.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    static Exception Unwrap(Exception e) => e switch
    {
        AggregateException { InnerExceptions.Count: 1 } a => Unwrap(a.InnerExceptions[0]),
        System.Reflection.TargetInvocationException { InnerException: { } inner } => Unwrap(inner),
        _ => e,
    };

    /// <summary>The message on one line, without .NET's " (Parameter 'name')" suffix.</summary>
    internal static string Message(Exception e)
    {
        var text = e.Message;
        if (e is ArgumentException { ParamName: { } p }) text = text.Replace($" (Parameter '{p}')", "");
        return text.ReplaceLineEndings(" ");
    }

    /// <summary>Errors in what the user gave (exit code 2), as opposed to failures of Micar or libtorch (exit code 1).</summary>
    internal static bool IsInputError(Exception e) => e is UserError
        or ImageDecodeException or SpecFormatException or SpecValidationException or LayerValidationException or ShapeException
        or CheckpointFormatException or CheckpointMismatchException or PrepareException
        or TrainOptionsException or MemoryBudgetException
        or FormatException or InvalidDataException or FileNotFoundException or DirectoryNotFoundException
        or UnauthorizedAccessException or System.Text.Json.JsonException or Micar.Reports.ReportDataException;
}

/// <summary>An error in what the user asked for (missing file, bad option value); exit code 2.</summary>
sealed class UserError(string message) : Exception(message);
