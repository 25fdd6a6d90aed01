namespace Micar.Reports;

/// <summary>Shape checks of jagged arrays in report data, failing with the path of the first bad element.</summary>
internal static class DataShape
{
    /// <summary>Checks that <paramref name="array"/> is present and has <paramref name="length"/> elements (any length when negative); returns its length.</summary>
    public static int Length<T>(T[]? array, int length, string field)
    {
        if (array is null)
            throw new ReportDataException(field, "is missing");
        if (length >= 0 && array.Length != length)
            throw new ReportDataException(field, $"has {array.Length} entries, expected {length}");
        return array.Length;
    }

    /// <summary>
    /// Checks that <paramref name="matrix"/> has <paramref name="rows"/> rows of <paramref name="cols"/> values
    /// (either may be negative: taken from the data, all rows must then agree); returns the shape.
    /// </summary>
    public static (int Rows, int Cols) Matrix<T>(T[][]? matrix, int rows, int cols, string field)
    {
        rows = Length(matrix, rows, field);
        if (rows == 0)
            throw new ReportDataException(field, "is empty");
        for (var i = 0; i < rows; i++)
        {
            var n = Length(matrix![i], cols, $"{field}[{i}]");
            if (n == 0)
                throw new ReportDataException($"{field}[{i}]", "is empty");
            cols = n;
        }
        return (rows, cols);
    }
}
