using Micar.Bench;

// micar-bench <suite> [--threads N] [--out DIR]
var suite = args.Length > 0 ? args[0] : "engine";
int threads = Environment.ProcessorCount;
string outDir = Path.Combine(PythonReference.RepoRoot(), "bench", "results");
for (int i = 1; i < args.Length; i++)
{
    if (args[i] == "--threads" && i + 1 < args.Length) threads = int.Parse(args[++i]);
    else if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
    else { Console.Error.WriteLine($"micar-bench: unknown option '{args[i]}'"); return 2; }
}
try
{
    return suite switch
    {
        "engine" => EngineBench.Run(threads, outDir),
        "data" => DataBench.Run(threads, outDir),
        _ => Fail($"unknown suite '{suite}' (available: engine, data)"),
    };
}
catch (Exception e)
{
    Console.Error.WriteLine($"micar-bench: {e.Message}");
    return 1;
}

static int Fail(string message)
{
    Console.Error.WriteLine($"micar-bench: {message}");
    return 2;
}
