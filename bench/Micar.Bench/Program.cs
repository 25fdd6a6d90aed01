using Micar.Bench;

// micar-bench <suite> [--threads N] [--out DIR] [--quick] [--work DIR] [--decode (model: decoding rows only)]
var suite = args.Length > 0 ? args[0] : "engine";
if (suite == "model-worker") return ModelBench.WorkerMain(args[1..]);   // one side of the model suite, in its own process
if (suite == "ddp-worker") return DdpBench.WorkerMain(args);            // one rank of the data-parallel suite
int threads = Environment.ProcessorCount;
bool quick = false, decodeOnly = false;
string? workDir = null;
string outDir = Path.Combine(PythonReference.RepoRoot(), "bench", "results");
for (int i = 1; i < args.Length; i++)
{
    if (args[i] == "--threads" && i + 1 < args.Length) threads = int.Parse(args[++i]);
    else if (args[i] == "--out" && i + 1 < args.Length) outDir = args[++i];
    else if (args[i] == "--quick") quick = true;
    else if (args[i] == "--decode") decodeOnly = true;
    else if (args[i] == "--work" && i + 1 < args.Length) workDir = Path.GetFullPath(args[++i]);
    else { Console.Error.WriteLine($"micar-bench: unknown option '{args[i]}'"); return 2; }
}
try
{
    return suite switch
    {
        "engine" => EngineBench.Run(threads, outDir),
        "data" => DataBench.Run(threads, outDir),
        "model" => ModelBench.Run(threads, outDir, quick, workDir, decodeOnly),
        "gpu" => GpuBench.Run(outDir, quick),
        "ddp" => DdpBench.Run(threads, outDir, quick),
        _ => Fail($"unknown suite '{suite}' (available: engine, data, model, gpu, ddp)"),
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
