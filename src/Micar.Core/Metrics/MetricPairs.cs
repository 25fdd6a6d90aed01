using System.Text;

namespace Micar.Metrics;

/// <summary>Prediction/reference pairs, as read from a pairs file.</summary>
/// <param name="Predictions">Generated reports.</param>
/// <param name="References">Reference reports, one per prediction.</param>
public sealed record MetricPairs(IReadOnlyList<string> Predictions, IReadOnlyList<string> References)
{
    /// <summary>
    /// Reads a UTF-8 pairs file: one pair per line, <c>prediction TAB reference</c> (exactly one TAB; either side
    /// may be empty). A trailing carriage return is ignored, as is a final newline.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">A line does not hold exactly one TAB, or the file holds no pair; the message names the file and line.</exception>
    public static MetricPairs ReadTsv(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Pairs file '{path}' does not exist.", path);
        var predictions = new List<string>();
        var references = new List<string>();
        int lineNumber = 0;
        foreach (var raw in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            string line = raw.EndsWith('\r') ? raw[..^1] : raw;
            int tab = line.IndexOf('\t');
            int tabs = line.Count(c => c == '\t');
            if (tabs != 1)
                throw new FormatException(
                    $"Pairs file '{path}', line {lineNumber}: expected 'prediction<TAB>reference' with exactly one TAB, found {tabs}"
                    + (line.Length == 0 ? " (empty line)." : "."));
            predictions.Add(line[..tab]);
            references.Add(line[(tab + 1)..]);
        }
        if (lineNumber == 0) throw new FormatException($"Pairs file '{path}' holds no pairs.");
        return new MetricPairs(predictions, references);
    }
}
