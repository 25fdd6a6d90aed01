using System.Globalization;
using System.Text;

namespace Micar.Metrics;

/// <summary>
/// Reads the Princeton WordNet 3.0 database files (<c>index.*</c>, <c>data.*</c>, <c>*.exc</c> for noun, verb,
/// adj and adv) from a directory, as Debian's <c>wordnet-base</c> package installs them in
/// <c>/usr/share/wordnet</c>. Synsets are found by byte offset, as nltk does.
/// </summary>
internal static class WordNetDirectoryReader
{
    public static WordNetPosTable[] Read(string directory, string origin)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException(
                $"WordNet directory '{directory}' ({origin}) does not exist. {InstallHint}");
        var tables = new WordNetPosTable[4];
        foreach (var pos in Enum.GetValues<WordNetPos>())
        {
            string name = WordNetPosTable.FileName(pos);
            string indexPath = Require(directory, $"index.{name}", origin);
            string dataPath = Require(directory, $"data.{name}", origin);
            string exceptionPath = Require(directory, $"{name}.exc", origin);
            var (offsets, synsets) = ReadData(dataPath);
            var index = ReadIndex(indexPath, WordNetPosTable.Letter(pos), offsets);
            tables[(int)pos] = new WordNetPosTable(synsets, index, ReadExceptions(exceptionPath));
        }
        return tables;
    }

    /// <summary>How to get the files; part of every "not found" message.</summary>
    public const string InstallHint =
        "Install the Debian package wordnet-base (apt-get install wordnet-base; it puts the WordNet 3.0 files in "
        + "/usr/share/wordnet), point " + WordNetDatabase.DirectoryEnvironmentVariable
        + " at a directory holding index.*, data.* and *.exc for noun, verb, adj and adv, "
        + "or leave it unset to use the WordNet 3.0 copy embedded in Micar.Core.";

    private static string Require(string directory, string file, string origin)
    {
        string path = Path.Combine(directory, file);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"WordNet directory '{directory}' ({origin}) has no '{file}'. {InstallHint}", path);
        return path;
    }

    private static (Dictionary<long, int> Offsets, string[][] Synsets) ReadData(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var offsets = new Dictionary<long, int>();
        var synsets = new List<string[]>();
        int start = 0, lineNumber = 0;
        while (start < bytes.Length)
        {
            int end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0) end = bytes.Length;
            lineNumber++;
            if (end > start && bytes[start] != (byte)' ')
            {
                string line = Encoding.UTF8.GetString(bytes, start, end - start);
                int bar = line.IndexOf('|');
                var fields = PythonString.SplitWhitespace(bar >= 0 ? line[..bar] : line);
                try
                {
                    long declared = long.Parse(fields[0], CultureInfo.InvariantCulture);
                    if (declared != start)
                        throw new FormatException($"the line starts at byte {start} but declares offset {fields[0]}");
                    int count = int.Parse(fields[3], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
                    var words = new List<string>(count);
                    for (int k = 0; k < count; k++)
                    {
                        string word = StripMarker(fields[4 + 2 * k]);
                        if (!word.Contains('_') && !words.Contains(word)) words.Add(word);
                    }
                    offsets[start] = synsets.Count;
                    synsets.Add([.. words]);
                }
                catch (Exception e) when (e is FormatException or OverflowException or ArgumentOutOfRangeException)
                {
                    throw new InvalidDataException($"WordNet data file '{path}', line {lineNumber}: malformed synset line: {e.Message}", e);
                }
            }
            start = end + 1;
        }
        return (offsets, [.. synsets]);
    }

    private static Dictionary<string, int[]> ReadIndex(string path, string letter, Dictionary<long, int> offsets)
    {
        var index = new Dictionary<string, int[]>(StringComparer.Ordinal);
        int lineNumber = 0;
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.StartsWith(' ')) continue;
            var fields = PythonString.SplitWhitespace(line);
            try
            {
                if (fields.Count < 2) throw new FormatException("too few fields");
                if (fields[1] != letter) throw new FormatException($"part of speech '{fields[1]}', expected '{letter}'");
                int synsetCount = int.Parse(fields[2], CultureInfo.InvariantCulture);
                if (synsetCount <= 0) throw new FormatException("synset count must be positive");
                int pointerCount = int.Parse(fields[3], CultureInfo.InvariantCulture);
                int senseCount = int.Parse(fields[4 + pointerCount], CultureInfo.InvariantCulture);
                if (senseCount != synsetCount) throw new FormatException("sense count differs from synset count");
                var ids = new int[synsetCount];
                for (int k = 0; k < synsetCount; k++)
                {
                    long offset = long.Parse(fields[6 + pointerCount + k], CultureInfo.InvariantCulture);
                    if (!offsets.TryGetValue(offset, out ids[k]))
                        throw new FormatException($"no synset line at byte offset {offset} of data.{Path.GetExtension(path).TrimStart('.')}");
                }
                index[fields[0]] = ids;
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentOutOfRangeException)
            {
                throw new InvalidDataException($"WordNet index file '{path}', line {lineNumber}: malformed index line: {e.Message}", e);
            }
        }
        return index;
    }

    private static Dictionary<string, string[]> ReadExceptions(string path)
    {
        var exceptions = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(path, Encoding.UTF8))
        {
            var terms = PythonString.SplitWhitespace(line);
            if (terms.Count == 0) continue;
            exceptions[terms[0]] = [.. terms.Skip(1)];
        }
        return exceptions;
    }

    /// <summary>nltk's <c>re.match(r"(.*?)(\(.*\))?$", name)</c>: a trailing parenthesised marker is removed.</summary>
    internal static string StripMarker(string word)
    {
        if (!word.EndsWith(')')) return word;
        int open = word.IndexOf('(');
        return open >= 0 ? word[..open] : word;
    }
}
