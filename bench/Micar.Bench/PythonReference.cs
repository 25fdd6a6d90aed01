using System.Diagnostics;
using System.Text.Json;

namespace Micar.Bench;

/// <summary>Runs a PyTorch reference script with Debian's system python3 and parses the JSON it prints last.</summary>
static class PythonReference
{
    public static string Python => Environment.GetEnvironmentVariable("MICAR_BENCH_PYTHON") ?? "/usr/bin/python3";

    public static JsonElement Run(string script, params string[] args)
    {
        var root = RepoRoot();
        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root };
        // Same OpenMP waiting as Micar (which defaults to passive), so both sides run under equal conditions.
        psi.Environment["OMP_WAIT_POLICY"] = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "PASSIVE";
        psi.ArgumentList.Add(Path.Combine(root, script));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {Python}");
        var stdout = p.StandardOutput.ReadToEnd();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{script} failed (exit {p.ExitCode}); install Debian's python3-torch (apt-get install python3-torch python3-torchvision): {stderr.Trim()}");
        var last = stdout.Trim().Split('\n').Last();
        return JsonDocument.Parse(last).RootElement.Clone();
    }

    public static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "MicarFunctional.sln"))) return d.FullName;
        return Directory.GetCurrentDirectory();
    }
}
