using System.Globalization;
using CsvHelper;

namespace Emotion.Torch.Training;

/// <summary>The CSV dialect of the files the library writes (comma, <c>\n</c> line ends, invariant culture, no BOM).</summary>
internal static class CsvFormat
{
    /// <summary>CsvHelper writer options.</summary>
    public static CsvWriterOptions Options { get; } = new()
    {
        FormatProvider = CultureInfo.InvariantCulture,
        NewLine = "\n",
        WriteByteOrderMark = false,
    };
}
