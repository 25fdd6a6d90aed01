namespace Micar.Data;

/// <summary>One data record of a CSV file.</summary>
/// <param name="Line">1-based line number where the record starts in the file.</param>
/// <param name="Cells">The cells, one per header column; null where the record has fewer fields than the header.</param>
public sealed record CsvRow(int Line, string?[] Cells);

/// <summary>A CSV file read with a header row.</summary>
/// <param name="Source">The file path (used in error messages).</param>
/// <param name="Header">Column names, in file order.</param>
/// <param name="Rows">Data records, in file order (blank lines skipped).</param>
public sealed record CsvTable(string Source, IReadOnlyList<string> Header, IReadOnlyList<CsvRow> Rows)
{
    /// <summary>The index of column <paramref name="name"/> (first occurrence, exact match), or −1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Header.Count; i++)
            if (Header[i] == name) return i;
        return -1;
    }

    /// <summary>The index of column <paramref name="name"/>.</summary>
    /// <exception cref="InvalidDataException">The column does not exist; the message names the file and lists the columns.</exception>
    public int RequireColumn(string name)
    {
        int i = IndexOf(name);
        if (i < 0)
            throw new InvalidDataException($"{Source}: column '{name}' not found (columns: {string.Join(", ", Header.Select(h => $"'{h}'"))})");
        return i;
    }
}
