namespace Emotion.Preprocessing.Datasets;

/// <summary>
/// Folder and file names of the Aff-Wild2 layout as this library reads (and the synthetic generator writes) it:
/// <code>
/// &lt;root&gt;/cropped_aligned/&lt;video&gt;/00001.jpg ...
/// &lt;root&gt;/annotations/EXPR_Set/&lt;split&gt;/&lt;video&gt;.txt
/// &lt;root&gt;/annotations/VA_Set/&lt;split&gt;/&lt;video&gt;.txt
/// </code>
/// with splits <c>Training_Set</c> and <c>Validation_Set</c> (the ABAW releases' <c>Train_Set</c> is accepted for
/// <c>Training_Set</c>). The frames and annotation roots can also be given separately.
/// </summary>
public static class AffWild2Layout
{
    /// <summary>The frames folder under the root.</summary>
    public const string FramesFolder = "cropped_aligned";

    /// <summary>The annotations folder under the root.</summary>
    public const string AnnotationsFolder = "annotations";

    /// <summary>The expression annotation set.</summary>
    public const string ExpressionSet = "EXPR_Set";

    /// <summary>The valence/arousal annotation set.</summary>
    public const string ValenceArousalSet = "VA_Set";

    /// <summary>The training split folder.</summary>
    public const string TrainingSplit = "Training_Set";

    /// <summary>The validation split folder.</summary>
    public const string ValidationSplit = "Validation_Set";

    /// <summary>The frames root under a dataset root.</summary>
    public static string FramesRoot(string root) => Path.Combine(root, FramesFolder);

    /// <summary>The annotations root under a dataset root.</summary>
    public static string AnnotationsRoot(string root) => Path.Combine(root, AnnotationsFolder);

    /// <summary>The folder of a video's frames.</summary>
    public static string VideoFramesFolder(string framesRoot, string videoId) => Path.Combine(framesRoot, videoId);

    /// <summary>The file name of a frame: its number with 5 digits (more when needed) and the extension.</summary>
    public static string FrameFileName(int frameNumber, string extension = ".jpg") =>
        frameNumber.ToString("D5", System.Globalization.CultureInfo.InvariantCulture) + extension;

    /// <summary>The folder of one annotation set and split, e.g. <c>annotations/EXPR_Set/Training_Set</c>, resolving the <c>Train_Set</c> alias when only that exists.</summary>
    /// <param name="annotationsRoot">The annotations root.</param>
    /// <param name="set"><see cref="ExpressionSet"/> or <see cref="ValenceArousalSet"/>.</param>
    /// <param name="split">The split folder name.</param>
    public static string SplitFolder(string annotationsRoot, string set, string split)
    {
        var folder = Path.Combine(annotationsRoot, set, split);
        if (!Directory.Exists(folder) && split == TrainingSplit)
        {
            var alias = Path.Combine(annotationsRoot, set, "Train_Set");
            if (Directory.Exists(alias)) return alias;
        }
        return folder;
    }

    /// <summary>The annotation file of a video in a set and split.</summary>
    public static string AnnotationFile(string annotationsRoot, string set, string split, string videoId) =>
        Path.Combine(SplitFolder(annotationsRoot, set, split), videoId + ".txt");
}
