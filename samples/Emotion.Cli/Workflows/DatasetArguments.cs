using System.CommandLine;
using Emotion.Preprocessing.Annotations;
using Emotion.Preprocessing.Datasets;

namespace Emotion.Cli.Workflows;

/// <summary>The options that name a dataset (<c>--data</c>, <c>--format</c>, <c>--split</c>, <c>--lenient</c>) and how they load it.</summary>
public sealed class DatasetArguments
{
    /// <summary>Dataset formats the CLI reads.</summary>
    public static readonly string[] Formats = ["affwild2", "csv"];

    /// <summary>Creates the options.</summary>
    public DatasetArguments(string dataDescription)
    {
        Data = new Option<FileSystemInfo>("--data") { Description = dataDescription, Required = true };
        Format = new Option<string>("--format") { Description = "affwild2: cropped_aligned frames + annotations/EXPR_Set and VA_Set; csv: a manifest with video,frame,category,valence,arousal[,path].", DefaultValueFactory = _ => "affwild2" };
        Format.AcceptOnlyFromAmong(Formats);
        Lenient = new Option<bool>("--lenient") { Description = "Report malformed annotation lines and treat them as unlabeled instead of failing." };
    }

    /// <summary>The Aff-Wild2 root folder or the CSV manifest.</summary>
    public Option<FileSystemInfo> Data { get; }

    /// <summary><c>affwild2</c> or <c>csv</c>.</summary>
    public Option<string> Format { get; }

    /// <summary>Lenient annotation loading.</summary>
    public Option<bool> Lenient { get; }

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Add(Data);
        command.Add(Format);
        command.Add(Lenient);
    }

    /// <summary>Loads the split <paramref name="split"/> (ignored for a CSV manifest, which is one set).</summary>
    /// <exception cref="UsageException">The path does not exist or does not fit the format.</exception>
    public EmotionDataset Load(ParseResult parse, string split) =>
        Load(CliArguments.ExistingPath(parse.GetValue(Data), "--data"), parse.GetValue(Format)!, parse.GetValue(Lenient), split);

    /// <summary>Loads the split <paramref name="split"/> of the dataset at <paramref name="path"/> in <paramref name="format"/> (<see cref="Formats"/>).</summary>
    /// <exception cref="UsageException">The path does not exist or does not fit the format.</exception>
    public static EmotionDataset Load(string path, string format, bool lenient, string split)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new UsageException($"--data: '{path}' does not exist.");
        var annotations = lenient ? AnnotationLoadOptions.LenientDefault : AnnotationLoadOptions.Strict;
        switch (format)
        {
            case "csv":
                if (!File.Exists(path)) throw new UsageException($"--data: with --format csv, expected a manifest file; '{path}' is a folder.");
                return CsvManifestDataset.Load(path, options: annotations);
            default:
                if (!Directory.Exists(path)) throw new UsageException($"--data: with --format affwild2, expected a folder with {AffWild2Layout.FramesFolder}/ and {AffWild2Layout.AnnotationsFolder}/; '{path}' is a file.");
                return AffWild2Dataset.Load(path, split, annotations);
        }
    }

    /// <summary>Whether the dataset is a CSV manifest (one set, no splits).</summary>
    public bool IsCsv(ParseResult parse) => parse.GetValue(Format) == "csv";
}
