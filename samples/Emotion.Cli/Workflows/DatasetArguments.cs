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
        Lenient = new Option<bool>("--lenient") { Description = $"Report malformed annotation lines and treat them as unlabeled instead of failing (the count and first lines on stderr, all of them in {IssuesFileName} in the output folder)." };
        SkipDamaged = new Option<bool>("--skip-damaged") { Description = $"Skip frames whose image file is empty, truncated or damaged instead of failing, and list them (stderr and {IssuesFileName})." };
    }

    /// <summary>The file, in the command's output folder, that lists every problem met while loading the data.</summary>
    public const string IssuesFileName = "dataset-issues.txt";

    /// <summary>How many problems are printed on stderr (all of them go to <see cref="IssuesFileName"/>).</summary>
    public const int IssuesShown = 10;

    /// <summary>The Aff-Wild2 root folder or the CSV manifest.</summary>
    public Option<FileSystemInfo> Data { get; }

    /// <summary><c>affwild2</c> or <c>csv</c>.</summary>
    public Option<string> Format { get; }

    /// <summary>Lenient annotation loading.</summary>
    public Option<bool> Lenient { get; }

    /// <summary>Skip-and-report for damaged frame images (<see cref="EmotionDataset.WithoutDamagedFrames"/>).</summary>
    public Option<bool> SkipDamaged { get; }

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Add(Data);
        command.Add(Format);
        command.Add(Lenient);
        command.Add(SkipDamaged);
    }

    /// <summary>Loads the split <paramref name="split"/> (ignored for a CSV manifest, which is one set).</summary>
    /// <exception cref="UsageException">The path does not exist or does not fit the format.</exception>
    /// <param name="parse">The parsed command line.</param>
    /// <param name="split">The Aff-Wild2 split.</param>
    /// <param name="includeOther">Keep Aff-Wild2's label 7 (Other) as a category (8-class models); by default it is read as unlabeled.</param>
    public EmotionDataset Load(ParseResult parse, string split, bool includeOther = false) =>
        Load(CliArguments.ExistingPath(parse.GetValue(Data), "--data"), parse.GetValue(Format)!, parse.GetValue(Lenient), split, parse.GetValue(SkipDamaged), includeOther);

    /// <summary>
    /// Loads the split <paramref name="split"/> of the dataset at <paramref name="path"/> in <paramref name="format"/>
    /// (<see cref="Formats"/>) with the given <c>--lenient</c> and <c>--skip-damaged</c> choices (a resumed run replays its own).
    /// </summary>
    /// <exception cref="UsageException">The path does not exist or does not fit the format.</exception>
    public static EmotionDataset Load(string path, string format, bool lenient, string split, bool skipDamaged = false, bool includeOther = false)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new UsageException($"--data: '{path}' does not exist.");
        switch (format)
        {
            case "csv":
                if (!File.Exists(path)) throw new UsageException($"--data: with --format csv, expected a manifest file; '{path}' is a folder.");
                return LoadManifest(path, lenient, skipDamaged, includeOther);
            default:
                if (!Directory.Exists(path)) throw new UsageException($"--data: with --format affwild2, expected a folder with {AffWild2Layout.FramesFolder}/ and {AffWild2Layout.AnnotationsFolder}/; '{path}' is a file.");
                return Checked(AffWild2Dataset.Load(path, split, AnnotationOptions(lenient, includeOther)), skipDamaged);
        }
    }

    /// <summary>Loads a CSV manifest with this command's <c>--lenient</c> and <c>--skip-damaged</c> choices.</summary>
    public EmotionDataset LoadManifest(ParseResult parse, string manifest, bool includeOther = false) =>
        LoadManifest(manifest, parse.GetValue(Lenient), parse.GetValue(SkipDamaged), includeOther);

    /// <summary>Loads a CSV manifest, leniently or not, skipping damaged frames or not, with Other (label 7) kept as a category or read as unlabeled.</summary>
    public static EmotionDataset LoadManifest(string manifest, bool lenient, bool skipDamaged, bool includeOther = false) =>
        Checked(CsvManifestDataset.Load(manifest, options: AnnotationOptions(lenient, includeOther)), skipDamaged);

    private static AnnotationLoadOptions AnnotationOptions(bool lenient, bool includeOther) =>
        (lenient ? AnnotationLoadOptions.LenientDefault : AnnotationLoadOptions.Strict) with { IncludeOther = includeOther };

    private static EmotionDataset Checked(EmotionDataset data, bool skipDamaged) =>
        skipDamaged ? data.WithoutDamagedFrames(out _) : data;

    /// <summary>
    /// Reports the problems met while loading <paramref name="sets"/> (lenient annotation lines, skipped frames, videos
    /// without frames): the count and the first <see cref="IssuesShown"/> on <paramref name="error"/>, every one of them
    /// in <see cref="IssuesFileName"/> in <paramref name="outputFolder"/>. Nothing is written when there is none.
    /// </summary>
    /// <returns>The number of problems.</returns>
    public static int ReportIssues(IEnumerable<EmotionDataset?> sets, TextWriter error, string outputFolder)
    {
        var issues = sets.OfType<EmotionDataset>().SelectMany(d => d.Issues.Select(i => $"[{d.Name}] {i}")).ToList();
        if (issues.Count == 0) return 0;
        Directory.CreateDirectory(outputFolder);
        string file = Path.Combine(outputFolder, IssuesFileName);
        Emotion.Core.IO.AtomicFile.WriteText(file, w => { foreach (var line in issues) w.Write(line + "\n"); });
        error.WriteLine($"warning: {issues.Count} problem(s) while loading the data (lines treated as unlabeled, files or videos skipped); " +
                        (issues.Count > IssuesShown ? $"the first {IssuesShown}:" : "all of them:"));
        foreach (var line in issues.Take(IssuesShown)) error.WriteLine("  " + line);
        error.WriteLine($"  all {issues.Count} listed in {file}");
        return issues.Count;
    }

    /// <summary>Whether the dataset is a CSV manifest (one set, no splits).</summary>
    public bool IsCsv(ParseResult parse) => parse.GetValue(Format) == "csv";
}
