using Micar.Reports;

namespace Micar.Tests.Reports;

/// <summary>
/// Realistic, deterministic fake report data: a synthetic 224×224 chest CT slice, 12 generated tokens, a 7×7
/// image grid, 2 decoder layers with 4 heads, 4 experts with top-2 routing, a P2–P5 + F pyramid, and a 20-epoch
/// training log.
/// </summary>
internal static class ReportSamples
{
    public static readonly string[] Tokens =
        ["the", "lungs", "are", "clear", ".", "there", "is", "no", "pleural", "effusion", "<unk>", "."];

    public const int Grid = 7;
    public const int Layers = 2;
    public const int Heads = 4;
    public const int Experts = 4;
    public const int TopK = 2;

    public static ExplainData Explain()
    {
        var random = new Random(20240611);
        var t = Tokens.Length;
        var cross = new float[Layers][][][];
        var self = new float[Layers][][][];
        var routing = new RoutingTrace[Layers];
        for (var l = 0; l < Layers; l++)
        {
            cross[l] = new float[t][][];
            for (var i = 0; i < t; i++)
            {
                cross[l][i] = new float[Heads][];
                // Each token looks around a spot that moves over the lungs; heads spread differently.
                var cy = 2.0 + 3.0 * ((i * 5 + l) % 7) / 6.0;
                var cx = i % 2 == 0 ? 2.0 : 4.5;
                for (var h = 0; h < Heads; h++)
                {
                    var width = 0.8 + 0.5 * h;
                    var logits = new double[Grid * Grid];
                    for (var n = 0; n < logits.Length; n++)
                    {
                        var dy = n / Grid - cy;
                        var dx = n % Grid - cx;
                        logits[n] = -(dx * dx + dy * dy) / (2 * width * width) + 0.3 * random.NextDouble();
                    }
                    cross[l][i][h] = Softmax(logits);
                }
            }
            self[l] = new float[Heads][][];
            for (var h = 0; h < Heads; h++)
            {
                self[l][h] = new float[t][];
                for (var q = 0; q < t; q++)
                {
                    var logits = new double[t];
                    for (var k = 0; k < t; k++)
                        logits[k] = k > q ? double.NegativeInfinity : (h == 0 ? -(q - k) : h == 1 ? -2.0 * k : 0) + random.NextDouble();
                    self[l][h][q] = Softmax(logits);
                }
            }
            var probabilities = new float[t][];
            var chosen = new int[t][];
            var load = new int[Experts];
            for (var i = 0; i < t; i++)
            {
                var logits = Enumerable.Range(0, Experts).Select(e => 2.0 * random.NextDouble() + (e == (i + l) % Experts ? 1.5 : 0)).ToArray();
                probabilities[i] = Softmax(logits);
                chosen[i] = Enumerable.Range(0, Experts).OrderByDescending(e => probabilities[i][e]).ThenBy(e => e).Take(TopK).ToArray();
                foreach (var e in chosen[i])
                    load[e]++;
            }
            routing[l] = new RoutingTrace { Probabilities = probabilities, Chosen = chosen, Load = load };
        }
        return new ExplainData
        {
            Image = CtSlice(224, 224),
            Tokens = Tokens,
            Reference = "the lungs are clear . no pleural effusion or pneumothorax .",
            GridRows = Grid,
            GridCols = Grid,
            CrossAttention = cross,
            SelfAttention = self,
            Routing = routing,
            Pyramid = [Pyramid("P2", 56, random), Pyramid("P3", 28, random), Pyramid("P4", 14, random), Pyramid("P5", 7, random), Pyramid("F", 7, random)],
        };
    }

    public static RunReportData Run(GalleryItem[] gallery)
    {
        var epochs = new EpochRow[20];
        var load = new ExpertLoadEpoch[20];
        var random = new Random(7);
        for (var e = 1; e <= 20; e++)
        {
            var train = 1.2 + 3.6 * Math.Exp(-e / 4.0) + 0.05 * random.NextDouble();
            var warm = Math.Min(1.0, e / 3.0);
            var cosine = 0.5 * (1 + Math.Cos(Math.PI * (e - 1) / 20));
            var metrics = new Dictionary<string, double>();
            if (e % 2 == 0)
            {
                metrics["BLEU-4"] = 0.02 + 0.12 * (1 - Math.Exp(-e / 6.0)) + 0.005 * random.NextDouble();
                metrics["METEOR"] = 0.08 + 0.1 * (1 - Math.Exp(-e / 5.0));
                metrics["ROUGE-L"] = 0.2 + 0.15 * (1 - Math.Exp(-e / 5.0));
                metrics["CIDEr"] = 0.05 + 0.4 * (1 - Math.Exp(-e / 7.0));
            }
            epochs[e - 1] = new EpochRow
            {
                Epoch = e,
                TrainLoss = train,
                ValLoss = e % 2 == 0 ? train + 0.25 + 0.02 * e : null,
                LearningRates = new Dictionary<string, double> { ["backbone"] = 1e-5 * warm * cosine, ["rest"] = 1e-3 * warm * cosine },
                Metrics = metrics,
                Seconds = 41.5 + 3 * random.NextDouble(),
            };
            var layers = new float[Layers][];
            for (var l = 0; l < Layers; l++)
            {
                var raw = Enumerable.Range(0, Experts).Select(x => 1.0 + (x == l ? 2.0 : 0.2 * x) * Math.Exp(-e / 5.0) + 0.1 * random.NextDouble()).ToArray();
                layers[l] = raw.Select(v => (float)(v / raw.Sum())).ToArray();
            }
            load[e - 1] = new ExpertLoadEpoch { Epoch = e, Layers = layers };
        }
        return new RunReportData
        {
            RunName = "covctr-tiny <seed 1> & friends",
            SpecSummary = "MicarVLMoE (tiny preset)\n  encoder: ResNet-18 + MSVE, d_model 256\n  decoder: 2 layers, MDLA 4 heads, MoE 4 experts top-2\n  parameters: 14,912,004",
            Epochs = epochs,
            ExpertLoad = load,
            FinalMetrics =
            [
                new SystemMetrics { System = "model", Values = new Dictionary<string, double> { ["BLEU-1"] = 0.412, ["BLEU-4"] = 0.138, ["METEOR"] = 0.172, ["ROUGE-L"] = 0.351, ["CIDEr"] = 0.448 } },
                new SystemMetrics { System = "baseline: most frequent report", Values = new Dictionary<string, double> { ["BLEU-1"] = 0.301, ["BLEU-4"] = 0.071, ["METEOR"] = 0.118, ["ROUGE-L"] = 0.282, ["CIDEr"] = 0.102 } },
                new SystemMetrics { System = "baseline: text only", Values = new Dictionary<string, double> { ["BLEU-1"] = 0.355, ["BLEU-4"] = 0.094, ["ROUGE-L"] = 0.301, ["CIDEr"] = 0.215 } },
            ],
            Gallery = gallery,
        };
    }

    /// <summary>A grey image: a bright body ellipse with two dark lungs and a spine.</summary>
    public static ExplainImage CtSlice(int width, int height)
    {
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                double u = (x + 0.5) / width - 0.5, v = (y + 0.5) / height - 0.5;
                var value = 10.0;
                if (u * u / 0.2 + v * v / 0.14 < 1)
                    value = 150;
                if (Inside(u + 0.17, v + 0.02, 0.12, 0.28) || Inside(u - 0.17, v + 0.02, 0.12, 0.28))
                    value = 35 + 20 * Math.Sin(40 * u) * Math.Sin(37 * v);
                if (Inside(u, v - 0.22, 0.05, 0.05))
                    value = 235;
                pixels[y * width + x] = (byte)Math.Clamp(value, 0, 255);
            }
        return new ExplainImage { Width = width, Height = height, Channels = 1, Pixels = pixels };
    }

    private static bool Inside(double u, double v, double a, double b) => u * u / (a * a) + v * v / (b * b) < 1;

    private static FeatureMap Pyramid(string name, int size, Random random)
    {
        var values = new float[size][];
        for (var y = 0; y < size; y++)
        {
            values[y] = new float[size];
            for (var x = 0; x < size; x++)
            {
                double u = (x + 0.5) / size - 0.5, v = (y + 0.5) / size - 0.5;
                values[y][x] = (float)(Math.Exp(-(u * u + v * v) * 8) + (Inside(Math.Abs(u) - 0.17, v, 0.12, 0.28) ? -0.4 : 0) + 0.1 * random.NextDouble());
            }
        }
        return new FeatureMap { Name = name, Values = values };
    }

    private static float[] Softmax(double[] logits)
    {
        var max = logits.Max();
        var exp = logits.Select(z => Math.Exp(z - max)).ToArray();
        var sum = exp.Sum();
        return exp.Select(z => (float)(z / sum)).ToArray();
    }
}
