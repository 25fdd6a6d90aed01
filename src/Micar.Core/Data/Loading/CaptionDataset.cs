using System.Runtime.ExceptionServices;
using System.Text;
using Micar.Data.Images;

namespace Micar.Data.Loading;

/// <summary>
/// Image–report rows with what turns them into model inputs: a <see cref="Micar.Data.Tokenizer"/> and text
/// length T for the report, an <see cref="ImagePipeline"/> for the image. Rows are loaded on demand (by
/// <see cref="CaptionLoader"/>, or one at a time with <see cref="Get"/>); the dataset itself is immutable and
/// safe to use from several threads.
/// </summary>
public sealed class CaptionDataset
{
    private readonly CaptionRow[] _rows;
    private readonly int[] _sourceRows;
    private readonly SkippedRow[] _skipped;

    /// <summary>
    /// Creates a dataset over <paramref name="rows"/>. With <see cref="CaptionDatasetOptions.SkipBad"/> every
    /// image is checked now and the rows whose image is missing or undecodable are dropped and listed in
    /// <see cref="Skipped"/>.
    /// </summary>
    /// <param name="rows">Image paths and reports.</param>
    /// <param name="tokenizer">Encodes the reports.</param>
    /// <param name="images">Turns decoded images into CHW floats (an <see cref="ImageTransform"/> or a <see cref="TrainingAugmentation"/>).</param>
    /// <param name="textLength">T, the model's text length (at least 2).</param>
    /// <param name="options">Skipping of bad rows and decoder options (default: none).</param>
    /// <param name="source">A name for the rows' origin (e.g. the CSV path) used in messages.</param>
    /// <exception cref="InvalidDataException">Skipping bad rows dropped every row.</exception>
    public CaptionDataset(IReadOnlyList<CaptionRow> rows, Tokenizer tokenizer, ImagePipeline images, int textLength,
        CaptionDatasetOptions? options = null, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(images);
        if (textLength < 2)
            throw new ArgumentOutOfRangeException(nameof(textLength), textLength, "the text length T must be at least 2 (room for <sos> and <eos>)");
        options ??= CaptionDatasetOptions.Default;
        options.Validate();
        for (var i = 0; i < rows.Count; i++)
        {
            if (rows[i] is null || rows[i].ImagePath is null || rows[i].Report is null)
                throw new ArgumentException($"row {i} is null or has a null image path or report", nameof(rows));
        }
        Tokenizer = tokenizer;
        Images = images;
        TextLength = textLength;
        Options = options;
        Source = source ?? "the dataset rows";
        SourceCount = rows.Count;

        var reasons = options.SkipBad ? CheckImages(rows, options) : new string?[rows.Count];
        var kept = new List<int>(rows.Count);
        var skipped = new List<SkippedRow>();
        for (var i = 0; i < rows.Count; i++)
        {
            if (reasons[i] is { } reason)
                skipped.Add(new SkippedRow(i, rows[i].ImagePath, reason));
            else
                kept.Add(i);
        }
        _sourceRows = kept.ToArray();
        _rows = _sourceRows.Select(i => rows[i]).ToArray();
        _skipped = skipped.ToArray();
        if (_rows.Length == 0 && SourceCount > 0)
            throw new InvalidDataException($"{Source}: every row was skipped because of its image; {DescribeSkipped(5)}");
    }

    /// <summary>
    /// A dataset over a split CSV read with <see cref="ReportCsv.Read"/>; image ids are resolved with
    /// <see cref="ReportCsv.ResolveImagePath"/> (relative to the CSV's folder).
    /// </summary>
    /// <exception cref="FileNotFoundException">The CSV file does not exist.</exception>
    /// <exception cref="InvalidDataException">The CSV is malformed (the message names file, line and column), or every row was skipped.</exception>
    public static CaptionDataset FromCsv(string csvPath, Tokenizer tokenizer, ImagePipeline images, int textLength,
        CaptionDatasetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(csvPath);
        var rows = ReportCsv.Read(csvPath)
            .Select(r => new CaptionRow(ReportCsv.ResolveImagePath(csvPath, r.ImageId), r.Findings))
            .ToList();
        return new CaptionDataset(rows, tokenizer, images, textLength, options, csvPath);
    }

    /// <summary>Where the rows came from (the CSV path, or the name given), for messages.</summary>
    public string Source { get; }

    /// <summary>The rows kept, in input order.</summary>
    public IReadOnlyList<CaptionRow> Rows => _rows;

    /// <summary>For each kept row, its position in the input (the CSV's 0-based data row).</summary>
    public IReadOnlyList<int> SourceRows => _sourceRows;

    /// <summary>The rows dropped by <see cref="CaptionDatasetOptions.SkipBad"/>, in input order (empty without it).</summary>
    public IReadOnlyList<SkippedRow> Skipped => _skipped;

    /// <summary>Number of input rows, before skipping.</summary>
    public int SourceCount { get; }

    /// <summary>Number of rows kept.</summary>
    public int Count => _rows.Length;

    /// <summary>Encodes the reports.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>Turns decoded images into CHW floats.</summary>
    public ImagePipeline Images { get; }

    /// <summary>T, the length of the encoded reports.</summary>
    public int TextLength { get; }

    /// <summary>The options the dataset was created with.</summary>
    public CaptionDatasetOptions Options { get; }

    /// <summary>
    /// Loads row <paramref name="index"/> on the calling thread: decode, transform, tokenize. This is the
    /// reference computation every batch of <see cref="CaptionLoader"/> equals.
    /// </summary>
    /// <param name="index">Position in <see cref="Rows"/>.</param>
    /// <param name="random">Drives a training augmentation (required then, ignored otherwise).</param>
    /// <exception cref="ImageDecodeException">The image is missing, unreadable or cannot be decoded; the message names
    /// the file and its <see cref="ImageDecodeException.Reason"/> is the one <see cref="Skipped"/> would list (e.g.
    /// <c>file not found</c>, with the original exception as the inner one).</exception>
    public CaptionSample Get(int index, Random? random = null)
    {
        var image = new float[Images.OutputLength];
        var input = new long[TextLength];
        var mask = new long[TextLength];
        var labels = new long[TextLength];
        WriteSample(index, random, image, input, mask, labels);
        return new CaptionSample(image, new EncodedReport(input, mask, labels));
    }

    /// <summary>Loads row <paramref name="index"/> into caller-provided buffers (e.g. one slot of a batch); see <see cref="Get"/>.</summary>
    /// <param name="index">Position in <see cref="Rows"/>.</param>
    /// <param name="random">Drives a training augmentation (required then, ignored otherwise).</param>
    /// <param name="image">At least <see cref="ImagePipeline.OutputLength"/> floats.</param>
    /// <param name="inputIds">Exactly T values.</param>
    /// <param name="padMask">Exactly T values.</param>
    /// <param name="labels">Exactly T values.</param>
    public void WriteSample(int index, Random? random, Span<float> image, Span<long> inputIds, Span<long> padMask, Span<long> labels)
    {
        if ((uint)index >= (uint)_rows.Length)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"row index outside 0..{_rows.Length - 1}");
        if (Images.IsRandom && random is null)
            throw new ArgumentNullException(nameof(random), "the dataset augments its images and needs a Random for every row");
        var row = _rows[index];
        Tokenizer.EncodeInto(row.Report, TextLength, inputIds, padMask, labels);
        // Loader workers decode in parallel: each image is admitted by its working memory (read from the header), so
        // that several large images cannot be in flight together beyond the budget.
        var file = ImageFileCheck.ReadFile(row.ImagePath);
        long bytes = DecodeBudget.WorkingBytes(ImageIO.Inspect(file, row.ImagePath, Options.Decode), Images.OutputWidth);
        using (DecodeBudget.Enter(bytes))
        {
            Images.Apply(ImageIO.Decode(file, row.ImagePath, Options.Decode), random, image);
            DecodeBudget.Released(bytes);
        }
    }

    /// <summary>Bounds the memory of the images <see cref="WriteSample"/> decodes at once
    /// (<see cref="CaptionDatasetOptions.DecodeMemoryBudget"/>); its peaks are what tests check.</summary>
    internal DecodeBudget DecodeBudget => _decodeBudget ??= new DecodeBudget(Options.DecodeMemoryBudget);

    private DecodeBudget? _decodeBudget;

    /// <summary>
    /// A report of the skipped rows for the user: how many of how many, then one line per row (file and reason),
    /// at most <paramref name="maxListed"/> of them.
    /// </summary>
    public string DescribeSkipped(int maxListed = 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxListed);
        if (_skipped.Length == 0)
            return $"{Source}: no rows skipped";
        var sb = new StringBuilder();
        sb.Append($"{Source}: skipped {_skipped.Length} of {SourceCount} rows whose image is missing or undecodable");
        foreach (var s in _skipped.Take(maxListed))
            sb.Append('\n').Append("  ").Append(s);
        if (_skipped.Length > maxListed)
            sb.Append('\n').Append($"  … and {_skipped.Length - maxListed} more");
        return sb.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"CaptionDataset {Source}: {Count} rows, T = {TextLength}, {Images}";

    /// <summary>The reason each row's image is bad, or null when it passes the check.</summary>
    private static string?[] CheckImages(IReadOnlyList<CaptionRow> rows, CaptionDatasetOptions options)
    {
        var reasons = new string?[rows.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.CheckThreads };
        try
        {
            Parallel.For(0, rows.Count, parallel, i => reasons[i] = ImageFileCheck.Problem(rows[i].ImagePath, options.Check, options.Decode));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // Not a bad file (those are reasons): e.g. a missing native codec library. Surface it as is.
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return reasons;
    }
}
