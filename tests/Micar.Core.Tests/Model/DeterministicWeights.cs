using System.Text;
using System.Text.Json;
using Micar.Model;
using Micar.Layers;
using Micar.Torch;
using Micar.Torch.Serialization;
using Micar.Nn;

namespace Micar.Tests.Model;


/// <summary>The deterministic weights of scripts/fixtures/make_model_fixtures.py, recreated bit for bit:
/// u_i = ((i·2654435761 + fnv1a32(key)·40503 + 12345) mod 2³²) / 2³².</summary>
public static class DeterministicWeights
{
    static uint Fnv1a32(string s)
    {
        uint h = 0x811C9DC5;
        foreach (var b in Encoding.UTF8.GetBytes(s)) h = unchecked((h ^ b) * 0x01000193);
        return h;
    }

    /// <summary>The fixture's value of <paramref name="key"/> with <paramref name="shape"/>.</summary>
    public static Tensor Value(string key, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        if (key.EndsWith("num_batches_tracked")) return Libtorch.Zeros(shape, DType.Int64);
        ulong h = Fnv1a32(key);
        var v = new float[n];
        double fan = shape.Length >= 2 ? n / shape[0] : 1;
        for (long i = 0; i < n; i++)
        {
            ulong x = unchecked((ulong)i * 2654435761UL + h * 40503UL + 12345UL) % (1UL << 32);
            double u = x / 4294967296.0;
            double value = key.EndsWith("running_var") ? 0.5 + u
                : key.EndsWith("running_mean") || key.EndsWith(".bias") ? 0.2 * (2 * u - 1)
                : shape.Length >= 2 ? (2 * u - 1) * Math.Sqrt(3.0 / fan)
                : 1 + 0.2 * (2 * u - 1);
            v[i] = (float)value;
        }
        return Tensor.From<float>(v, shape);
    }

    /// <summary>A store holding the deterministic value of every (key, shape).</summary>
    public static ParamStore Store(IEnumerable<(string Key, long[] Shape)> entries)
    {
        var store = new ParamStore();
        foreach (var (k, s) in entries)
        {
            var t = Value(k, s);
            bool trainable = !k.EndsWith("running_mean") && !k.EndsWith("running_var") && !k.EndsWith("num_batches_tracked")
                && !k.EndsWith("pe.pe") && !k.EndsWith("rope.freqs");
            if (trainable) t.RequiresGrad = true;
            store.Set(k, t, trainable);
        }
        return store;
    }

    /// <summary>Path of a model fixture file.</summary>
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "model", name);

    /// <summary>All tensors of a fixture safetensors file.</summary>
    public static Dictionary<string, Tensor> Load(string name)
    {
        using var f = SafetensorsFile.Open(Fixture(name));
        return f.Keys.ToDictionary(k => k, k => f.Read(k).ToTensor());
    }

    /// <summary>(key, shape) pairs from a JSON list of [key, shape] (and optionally dtype).</summary>
    public static IEnumerable<(string, long[])> Keys(JsonElement list) =>
        list.EnumerateArray().Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(x => x.GetInt64()).ToArray())).ToList();
}
