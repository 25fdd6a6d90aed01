using Micar.Data;
using Micar.Layers;
using Micar.Model;
using Micar.Torch;
using Micar.Nn;

namespace Micar.Decoding;


/// <summary>Options of report generation.</summary>
public sealed record DecodeOptions
{
    /// <summary>Beam width; 1 is greedy decoding.</summary>
    public int BeamWidth { get; init; } = 3;
    /// <summary>Most tokens generated per report (excluding <c>&lt;sos&gt;</c>); default: text_seq_len − 1.</summary>
    public int? MaxTokens { get; init; }
    /// <summary>GNMT length penalty exponent α (0 = raw sum of log-probabilities, as the official code).</summary>
    public double LengthPenalty { get; init; }
    /// <summary>Use the key/value cache (false recomputes the whole prefix each step, like the official code).</summary>
    public bool UseCache { get; init; } = true;
    /// <summary>Told before each decoding step (progress lines of long decodes).</summary>
    public Action<DecodeProgress>? Progress { get; init; }
}

/// <summary>Where a decode stands.</summary>
/// <param name="Step">Steps done (tokens generated per report so far).</param>
/// <param name="MaxSteps">Most steps it may take.</param>
/// <param name="Finished">Images whose reports are complete.</param>
/// <param name="Images">Images decoded together.</param>
public readonly record struct DecodeProgress(int Step, int MaxSteps, int Finished, int Images);

/// <summary>One generated report.</summary>
/// <param name="Tokens">Token ids after <c>&lt;sos&gt;</c>, up to and excluding <c>&lt;eos&gt;</c>.</param>
/// <param name="Score">Sum of log-probabilities (including the <c>&lt;eos&gt;</c> step when it ended).</param>
/// <param name="Finished">True when the report ended with <c>&lt;eos&gt;</c>.</param>
public sealed record Hypothesis(long[] Tokens, double Score, bool Finished);

/// <summary>
/// Greedy and beam-search decoding with a key/value cache: the image is encoded once, each step runs the decoder on
/// the newest token only, cross-attention keys/values are computed once per image, and finished hypotheses are
/// kept aside (nothing is generated after <c>&lt;eos&gt;</c>). Beam search starts from a single live beam per image
/// (unlike the official code, whose identical initial beams make it greedy).
/// </summary>
public static class ReportDecoder
{
    /// <summary>Decodes a batch of images [b, 3, H, W].</summary>
    public static IReadOnlyList<Hypothesis> Generate(CaptionNet net, Tensor images, DecodeOptions? options = null)
    {
        using var scope = Libtorch.NewScope();
        using var inference = Autograd.NoGrad();
        var memory = net.EncodeImage(images, ForwardContext.Eval);
        return GenerateFromMemory(net, memory, options);
    }

    /// <summary>Decodes from encoder memory [b, N, d] (e.g. from cached visual features).</summary>
    public static IReadOnlyList<Hypothesis> GenerateFromMemory(CaptionNet net, Tensor memory, DecodeOptions? options = null)
    {
        var o = options ?? new DecodeOptions();
        if (o.BeamWidth < 1) throw new ArgumentOutOfRangeException(nameof(options), o.BeamWidth, "beam width must be ≥ 1");
        int maxTokens = o.MaxTokens ?? net.Description.TextSeqLen - 1;
        if (maxTokens < 1 || maxTokens > net.Description.TextSeqLen - 1)
            throw new ArgumentOutOfRangeException(nameof(options), maxTokens, $"max tokens must lie in [1, {net.Description.TextSeqLen - 1}] (text_seq_len − 1)");
        using var inference = Autograd.NoGrad();
        return o.BeamWidth == 1 ? Greedy(net, memory, maxTokens, o.UseCache, o.Progress) : Beam(net, memory, o, maxTokens);
    }

    /// <summary>Always runs the beam-search algorithm, even for width 1 (for tests and comparisons).</summary>
    public static IReadOnlyList<Hypothesis> BeamSearch(CaptionNet net, Tensor memory, DecodeOptions options)
    {
        using var inference = Autograd.NoGrad();
        return Beam(net, memory, options, options.MaxTokens ?? net.Description.TextSeqLen - 1);
    }

    static Tensor NextLogProbs(CaptionNet net, Tensor lastTokens, Tensor memory, DecoderCache? cache, List<long>[]? prefixes)
    {
        if (cache is not null)
        {
            var logits = net.Decode(lastTokens.Unsqueeze(1), memory, null, ForwardContext.Eval, cache).Logits;   // [R, 1, V]
            return logits.Select(1, 0).LogSoftmax(-1);
        }
        // Full recomputation of every prefix (reference path).
        long len = prefixes![0].Count;
        var flat = prefixes.SelectMany(p => p).ToArray();
        var ids = Tensor.From<long>(flat, prefixes.Length, len).OnDeviceOf(memory);
        var full = net.Decode(ids, memory, null, ForwardContext.Eval).Logits;                                        // [R, L, V]
        return full.Select(1, len - 1).LogSoftmax(-1);
    }

    /// <summary>Greedy decoding. Rows that emitted <c>&lt;eos&gt;</c> leave the batch (their cache rows and image memory
    /// are dropped), so later steps only run the reports still being written.</summary>
    static IReadOnlyList<Hypothesis> Greedy(CaptionNet net, Tensor memory, int maxTokens, bool useCache, Action<DecodeProgress>? progress = null)
    {
        int b = (int)memory.Size(0);
        var tokens = Enumerable.Range(0, b).Select(_ => new List<long>()).ToArray();
        var scores = new double[b];
        var done = new bool[b];
        var prefixes = Enumerable.Range(0, b).Select(_ => new List<long> { SpecialTokens.SosId }).ToArray();
        using var cache = useCache ? net.NewCache() : null;
        var alive = Enumerable.Range(0, b).ToArray();          // images still decoding, in cache row order
        using var rowScope = Libtorch.NewScope();
        var mem = memory;
        for (int step = 0; step < maxTokens && alive.Length > 0; step++)
        {
            progress?.Invoke(new DecodeProgress(step, maxTokens, b - alive.Length, b));
            using var s = Libtorch.NewScope();
            var last = alive.Select(i => prefixes[i][^1]).ToArray();
            var logp = NextLogProbs(net, Tensor.From<long>(last).OnDeviceOf(mem), mem, cache, useCache ? null : alive.Select(i => prefixes[i]).ToArray());
            var (best, arg) = logp.Max(-1);
            var bv = best.ToArray<float>();
            var av = arg.ToArray<long>();
            var keep = new List<int>(alive.Length);
            for (int r = 0; r < alive.Length; r++)
            {
                int i = alive[r];
                scores[i] += bv[r];
                prefixes[i].Add(av[r]);
                if (av[r] == SpecialTokens.EosId) done[i] = true;
                else { tokens[i].Add(av[r]); keep.Add(r); }
            }
            if (keep.Count == alive.Length) continue;
            alive = keep.Select(r => alive[r]).ToArray();
            if (alive.Length == 0) break;
            var rows = Tensor.From<long>(keep.Select(r => (long)r).ToArray()).OnDeviceOf(mem);
            // The cache keeps the rows of the reports still running, image state included; only without one is the
            // memory itself narrowed to them.
            if (cache is not null) cache.Reorder(rows);
            else mem = mem.IndexSelect(0, rows).MoveToOuterScope();
        }
        return Enumerable.Range(0, b).Select(i => new Hypothesis(tokens[i].ToArray(), scores[i], done[i])).ToList();
    }

    sealed record Live(int Image, List<long> Tokens, double Score);

    static double Normalised(double score, int length, double alpha) =>
        alpha == 0 ? score : score / Math.Pow((5.0 + length) / 6.0, alpha);

    static IReadOnlyList<Hypothesis> Beam(CaptionNet net, Tensor memory, DecodeOptions o, int maxTokens)
    {
        int b = (int)memory.Size(0), width = o.BeamWidth;
        var finished = Enumerable.Range(0, b).Select(_ => new List<Hypothesis>()).ToArray();
        var live = Enumerable.Range(0, b).Select(i => new Live(i, new List<long>(), 0)).ToList();
        using var cache = o.UseCache ? net.NewCache() : null;
        var rowImage = Enumerable.Range(0, b).Select(i => (long)i).ToArray();
        for (int step = 0; step < maxTokens && live.Count > 0; step++)
        {
            o.Progress?.Invoke(new DecodeProgress(step, maxTokens, b - live.Select(l => l.Image).Distinct().Count(), b));
            using var s = Libtorch.NewScope();
            // A filled cache holds all the decoder needs of the image: the memory is expanded to rows only without one.
            var mem = cache is { Length: > 0 } ? memory : memory.IndexSelect(0, Tensor.From<long>(rowImage).OnDeviceOf(memory));
            var last = live.Select(l => l.Tokens.Count == 0 ? (long)SpecialTokens.SosId : l.Tokens[^1]).ToArray();
            var prefixes = o.UseCache ? null : live.Select(l => l.Tokens.Prepend(SpecialTokens.SosId).ToList()).ToArray();
            var logp = NextLogProbs(net, Tensor.From<long>(last).OnDeviceOf(mem), mem, cache, prefixes);               // [R, V]
            long vocab = logp.Size(1);
            var nextLive = new List<Live>();
            var origins = new List<long>();
            for (int img = 0; img < b; img++)
            {
                var rows = Enumerable.Range(0, live.Count).Where(r => live[r].Image == img).ToArray();
                if (rows.Length == 0) continue;
                var rowIdx = Tensor.From<long>(rows.Select(r => (long)r).ToArray()).OnDeviceOf(logp);
                var baseScores = Tensor.From<double>(rows.Select(r => live[r].Score).ToArray()).OnDeviceOf(logp).Unsqueeze(1);
                var cand = logp.IndexSelect(0, rowIdx).To(DType.Float64).Add(baseScores).Flatten();          // [k·V]
                int take = (int)Math.Min(2 * width, cand.Size(0));
                var (values, indices) = cand.TopK(take);
                var vv = values.ToArray<double>();
                var iv = indices.ToArray<long>();
                int kept = 0;
                for (int c = 0; c < take && kept < width; c++)
                {
                    var src = live[rows[(int)(iv[c] / vocab)]];
                    long token = iv[c] % vocab;
                    if (token == SpecialTokens.EosId)
                    {
                        finished[img].Add(new Hypothesis(src.Tokens.ToArray(), vv[c], true));
                        continue;
                    }
                    nextLive.Add(new Live(img, new List<long>(src.Tokens) { token }, vv[c]));
                    origins.Add(rows[(int)(iv[c] / vocab)]);
                    kept++;
                }
            }
            // An image is done once it has `width` finished hypotheses, or when no live beam can still beat the best
            // finished one (scores only decrease as tokens are added, exact without a length penalty).
            var doneImages = new HashSet<int>();
            for (int img = 0; img < b; img++)
            {
                if (finished[img].Count >= width) { doneImages.Add(img); continue; }
                if (o.LengthPenalty == 0 && finished[img].Count > 0)
                {
                    double bestFinished = finished[img].Max(h => h.Score);
                    var liveScores = nextLive.Where(l => l.Image == img).Select(l => l.Score).DefaultIfEmpty(double.NegativeInfinity);
                    if (bestFinished >= liveScores.Max()) doneImages.Add(img);
                }
            }
            var keep = Enumerable.Range(0, nextLive.Count).Where(i => !doneImages.Contains(nextLive[i].Image)).ToArray();
            live = keep.Select(i => nextLive[i]).ToList();
            var keptOrigins = keep.Select(i => origins[i]).ToArray();
            var nextRowImage = live.Select(l => (long)l.Image).ToArray();
            if (cache is not null && live.Count > 0)
                cache.Reorder(Tensor.From<long>(keptOrigins).OnDeviceOf(memory), crossAttention: !nextRowImage.SequenceEqual(rowImage));
            rowImage = nextRowImage;
        }
        var result = new List<Hypothesis>(b);
        for (int img = 0; img < b; img++)
        {
            var pool = finished[img].Count > 0
                ? finished[img]
                : live.Where(l => l.Image == img).Select(l => new Hypothesis(l.Tokens.ToArray(), l.Score, false)).ToList();
            if (pool.Count == 0) { result.Add(new Hypothesis([], 0, false)); continue; }
            result.Add(pool.OrderByDescending(h => Normalised(h.Score, h.Tokens.Length + (h.Finished ? 1 : 0), o.LengthPenalty)).First());
        }
        return result;
    }
}
