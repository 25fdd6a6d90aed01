using System.Text;

namespace Micar.Data;

/// <summary>
/// Reading and writing CSV the way the official preprocessing does with pandas: comma-separated, <c>"</c> quoting
/// with doubled quotes (RFC 4180), UTF-8, a header row.
/// </summary>
/// <remarks>
/// Writing follows <c>DataFrame.to_csv(index=False)</c>: minimal quoting (fields containing <c>,</c>, <c>"</c>,
/// <c>\n</c> or <c>\r</c> are quoted), <c>\n</c> line ends, missing cells written empty, no BOM. The one
/// deliberate difference: a field holding a bare <c>\r</c> is quoted here, while Python 3.11's csv module leaves it
/// bare (and pandas then reads it back as a line break).
/// Reading follows pandas' C parser defaults: a leading UTF-8 BOM is ignored; records end at <c>\n</c>,
/// <c>\r\n</c> or <c>\r</c> outside quotes; blank lines are skipped; a quote opens a quoted section only at the
/// start of a field; text after a closing quote is appended to the field; a record shorter than the header gets
/// missing (null) cells; a longer record or an unterminated quote is an error naming the file and line.
/// </remarks>
public static class CsvFormat
{
    /// <summary>Reads a CSV file with a header row.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not UTF-8, has no header or is malformed; the message
    /// names the file and line.</exception>
    public static CsvTable ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV file not found: {path}", path);
        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(false, true));
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{path}: not valid UTF-8 ({e.Message})", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses CSV text with a header row.</summary>
    /// <param name="text">The CSV text.</param>
    /// <param name="source">Name used in error messages.</param>
    public static CsvTable Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var records = Tokenize(text, source);
        if (records.Count == 0) throw new InvalidDataException($"{source}: no header row (the file is empty)");
        var headerFields = records[0].Fields;
        var header = headerFields.ToArray();
        var rows = new List<CsvRow>(records.Count - 1);
        for (int r = 1; r < records.Count; r++)
        {
            var (line, fields) = records[r];
            if (fields.Count > header.Length)
                throw new InvalidDataException($"{source}: line {line}: expected {header.Length} fields, saw {fields.Count}");
            var cells = new string?[header.Length];
            for (int i = 0; i < fields.Count; i++) cells[i] = fields[i];
            rows.Add(new CsvRow(line, cells));
        }
        return new CsvTable(source, header, rows);
    }

    /// <summary>Writes a header and rows as <c>to_csv(index=False)</c> does (null cells written empty).</summary>
    public static void WriteFile(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllText(path, Format(header, rows), new UTF8Encoding(false));
    }

    /// <summary>The CSV text <see cref="WriteFile"/> writes.</summary>
    public static string Format(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder();
        AppendRecord(sb, header);
        int r = 0;
        foreach (var row in rows)
        {
            if (row.Count != header.Count)
                throw new ArgumentException($"row {r} has {row.Count} cells, the header has {header.Count}", nameof(rows));
            AppendRecord(sb, row);
            r++;
        }
        return sb.ToString();
    }

    private static void AppendRecord(StringBuilder sb, IReadOnlyList<string?> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0) sb.Append(',');
            string f = fields[i] ?? "";
            bool quote = f.AsSpan().IndexOfAny(",\"\n\r") >= 0 || (fields.Count == 1 && f.Length == 0);
            if (quote) sb.Append('"').Append(f.Replace("\"", "\"\"")).Append('"');
            else sb.Append(f);
        }
        sb.Append('\n');
    }

    private static List<(int Line, List<string> Fields)> Tokenize(string text, string source)
    {
        var records = new List<(int, List<string>)>();
        int pos = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        int line = 1;
        var field = new StringBuilder();
        while (pos < text.Length)
        {
            int recordLine = line;
            var fields = new List<string>();
            // A blank line (nothing before the line end) is skipped.
            if (text[pos] == '\n' || text[pos] == '\r')
            {
                pos += text[pos] == '\r' && pos + 1 < text.Length && text[pos + 1] == '\n' ? 2 : 1;
                line++;
                continue;
            }
            while (true)
            {
                field.Clear();
                if (pos < text.Length && text[pos] == '"')
                {
                    int quoteLine = line;
                    pos++;
                    while (true)
                    {
                        if (pos >= text.Length)
                            throw new InvalidDataException($"{source}: line {quoteLine}: quoted field not closed before the end of the file");
                        char c = text[pos];
                        if (c == '"')
                        {
                            if (pos + 1 < text.Length && text[pos + 1] == '"') { field.Append('"'); pos += 2; continue; }
                            pos++;
                            break;
                        }
                        if (c == '\n' || (c == '\r' && !(pos + 1 < text.Length && text[pos + 1] == '\n'))) line++;
                        field.Append(c);
                        pos++;
                    }
                }
                while (pos < text.Length && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r')
                {
                    field.Append(text[pos]);
                    pos++;
                }
                fields.Add(field.ToString());
                if (pos < text.Length && text[pos] == ',') { pos++; continue; }
                if (pos < text.Length)
                {
                    pos += text[pos] == '\r' && pos + 1 < text.Length && text[pos + 1] == '\n' ? 2 : 1;
                    line++;
                }
                break;
            }
            records.Add((recordLine, fields));
        }
        return records;
    }
}
