using System.Globalization;
using CsvHelper;

namespace Emotion.Core.IO;

/// <summary>The one CSV dialect of every file the library writes: comma, <c>\n</c> line ends, invariant culture, no BOM.</summary>
public static class CsvDialect
{
    /// <summary>CsvHelper writer options for that dialect.</summary>
    public static CsvWriterOptions WriterOptions { get; } = new()
    {
        FormatProvider = CultureInfo.InvariantCulture,
        NewLine = "\n",
        WriteByteOrderMark = false,
    };
}
