using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Micar.Metrics;

/// <summary>
/// Reads the compact WordNet 3.0 synonym database embedded in Micar.Core
/// (<c>Resources/wordnet/wn30-synonyms.txt.gz</c>, built by <c>scripts/resources/make_wordnet_resource.py</c>
/// from Debian's <c>wordnet-base</c> files; licence in <c>Resources/wordnet/LICENSE</c>).
/// </summary>
internal static class WordNetEmbeddedReader
{
    public const string ResourceName = "Micar.Resources.wordnet/wn30-synonyms.txt.gz";
    private const string Header = "micar-wordnet-synonyms 1";

    public static WordNetPosTable[] Read()
    {
        using var stream = typeof(WordNetEmbeddedReader).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Micar.Core lacks its embedded resource '{ResourceName}'.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        int lineNumber = 0;
        string Next()
        {
            var line = reader.ReadLine() ?? throw Malformed(lineNumber + 1, "unexpected end of data");
            lineNumber++;
            return line;
        }

        if (Next() != Header) throw Malformed(1, $"expected header '{Header}'");
        var tables = new WordNetPosTable[4];
        foreach (var pos in Enum.GetValues<WordNetPos>())
        {
            var head = Next().Split(' ');
            if (head.Length != 5 || head[0] != "#pos" || head[1] != WordNetPosTable.Letter(pos))
                throw Malformed(lineNumber, $"expected '#pos {WordNetPosTable.Letter(pos)} <synsets> <lemmas> <exceptions>'");
            int synsetCount = ParseCount(head[2], lineNumber);
            int lemmaCount = ParseCount(head[3], lineNumber);
            int exceptionCount = ParseCount(head[4], lineNumber);

            var synsets = new string[synsetCount][];
            for (int i = 0; i < synsetCount; i++) synsets[i] = Next().Split(' ', StringSplitOptions.RemoveEmptyEntries);

            var index = new Dictionary<string, int[]>(lemmaCount, StringComparer.Ordinal);
            for (int i = 0; i < lemmaCount; i++)
            {
                var fields = Next().Split(' ');
                var ids = new int[fields.Length - 1];
                for (int k = 1; k < fields.Length; k++)
                {
                    if (!int.TryParse(fields[k], NumberStyles.None, CultureInfo.InvariantCulture, out ids[k - 1])
                        || ids[k - 1] >= synsetCount)
                        throw Malformed(lineNumber, $"bad synset number '{fields[k]}'");
                }
                if (ids.Length == 0) throw Malformed(lineNumber, "index lemma without synsets");
                index[fields[0]] = ids;
            }

            var exceptions = new Dictionary<string, string[]>(exceptionCount, StringComparer.Ordinal);
            for (int i = 0; i < exceptionCount; i++)
            {
                var terms = Next().Split(' ');
                exceptions[terms[0]] = terms[1..];
            }
            tables[(int)pos] = new WordNetPosTable(synsets, index, exceptions);
        }
        return tables;
    }

    private static int ParseCount(string text, int lineNumber) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw Malformed(lineNumber, $"bad count '{text}'");

    private static InvalidDataException Malformed(int lineNumber, string what) =>
        new($"Embedded WordNet resource '{ResourceName}', line {lineNumber}: {what}.");
}
