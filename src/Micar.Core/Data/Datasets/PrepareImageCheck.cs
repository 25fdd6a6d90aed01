using System.Runtime.ExceptionServices;
using Micar.Data.Loading;

namespace Micar.Data;

/// <summary>
/// The image check of <see cref="Prepare.Run(string, string, string, PrepareOptions)"/> with <c>SkipBad</c>: every
/// image that would be written is read as <see cref="PrepareOptions.ImageCheck"/> says (by default decoded, as
/// training will), in parallel; a failing one makes its row bad, with the decoder's reason.
/// </summary>
internal static class PrepareImageCheck
{
    /// <summary><paramref name="source"/> with the rows whose image fails the check marked bad.</summary>
    public static SplitSource Apply(SplitSource source, string root, PrepareOptions options)
    {
        var candidates = source.All
            .Where(r => r.Problem is null && r.MissingReason is null && r.ImagePath is not null)
            .ToArray();
        var reasons = new string?[candidates.Length];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.CheckThreads };
        try
        {
            Parallel.For(0, candidates.Length, parallel,
                // The normalised path, as written to the CSV and as DatasetRootPath checked it.
                i => reasons[i] = ImageFileCheck.Problem(Path.GetFullPath(candidates[i].ImagePath!), options.ImageCheck, options.Decode));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Not a bad file (those are reasons): e.g. a missing native codec library. Surface it as is.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }

        var replaced = new Dictionary<SourceRow, SourceRow>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < candidates.Length; i++)
        {
            if (reasons[i] is { } reason)
                replaced[candidates[i]] = candidates[i] with
                {
                    Problem = $"image {SourceFiles.Display(root, candidates[i].ImagePath!)} is unusable: {reason}",
                };
        }
        if (replaced.Count == 0) return source;
        List<SourceRow> Map(IReadOnlyList<SourceRow> rows) => rows.Select(r => replaced.GetValueOrDefault(r, r)).ToList();
        return new SplitSource(Map(source.All), Map(source.Train), Map(source.Val), Map(source.Test), source.DroppedBeforeSplit);
    }
}
