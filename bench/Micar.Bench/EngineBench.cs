using System.Diagnostics;
using System.Text.Json;
using Micar.Torch;
namespace Micar.Bench;


/// <summary>Engine micro-benchmarks side by side with PyTorch (same libtorch, same threads, same shapes).</summary>
static class EngineBench
{
    static double MedianTime(Action fn, int inner, int repeats)
    {
        for (int i = 0; i < Math.Max(1, inner / 10); i++) fn();
        var samples = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < inner; i++) fn();
            samples[r] = sw.Elapsed.TotalSeconds / inner;
        }
        Array.Sort(samples);
        return samples[repeats / 2];
    }

    public static int Run(int threads, string outDir)
    {
        Libtorch.Threads = threads;
        using var noGrad = Autograd.NoGrad();
        using var g = new Generator(0);
        var a = Libtorch.Randn([4, 4], g); var b = Libtorch.Randn([4, 4], g);
        var m1 = Libtorch.Randn([1024, 1024], g); var m2 = Libtorch.Randn([1024, 1024], g);
        var x = Libtorch.Randn([8, 64, 56, 56], g); var w = Libtorch.Randn([64, 64, 3, 3], g); var bias = Libtorch.Randn([64], g);
        var micar = new Dictionary<string, double>
        {
            ["add_4x4"] = MedianTime(() => { using var c = a + b; }, 20000, 7),
            ["matmul_1024"] = MedianTime(() => { using var c = m1.Matmul(m2); }, 5, 7),
            ["conv2d_resnet"] = MedianTime(() => { using var c = F.Conv2d(x, w, bias, padding: 1); }, 3, 7),
        };
        var py = PythonReference.Run("bench/engine/engine_bench.py", threads.ToString());
        var flops = new Dictionary<string, double>
        {
            ["matmul_1024"] = 2.0 * 1024 * 1024 * 1024,
            ["conv2d_resnet"] = 2.0 * 8 * 64 * 56 * 56 * 64 * 9,
        };
        Console.WriteLine($"engine benchmark — libtorch {Libtorch.Version} (Micar) vs torch {py.GetProperty("torch").GetString()} (Python), {threads} thread(s)");
        Console.WriteLine($"{"op",-16} {"Micar",14} {"PyTorch",14} {"ratio M/P",10} {"Micar GFLOP/s",14}");
        var rows = new List<object>();
        foreach (var (name, t) in micar)
        {
            double p = py.GetProperty(name).GetDouble();
            string gf = flops.TryGetValue(name, out var f) ? $"{f / t / 1e9,14:F1}" : $"{"",14}";
            Console.WriteLine($"{name,-16} {Format(t),14} {Format(p),14} {t / p,10:F3} {gf}");
            rows.Add(new { op = name, micar_s = t, pytorch_s = p, ratio = t / p, gflops = flops.TryGetValue(name, out var f2) ? f2 / t / 1e9 : (double?)null });
        }
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "engine.json"), JsonSerializer.Serialize(new { threads, rows }, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    static string Format(double seconds) => seconds < 1e-3 ? $"{seconds * 1e6:F2} µs" : $"{seconds * 1e3:F2} ms";
}
