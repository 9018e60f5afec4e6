using Emotion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Cli.Tests;

/// <summary>
/// A trained model (see <see cref="TrainedModelFixture"/>) exported to ONNX, the first validation video's frames renumbered
/// 1..N as PNG files decoded by ImageSharp (so a lossless video of them holds exactly the pixels <c>predict</c> sees on the
/// JPEG folder), and videos made from them with ffmpeg at 25 fps.
/// </summary>
public sealed class VideoPredictionFixture : IDisposable
{
    public const double Fps = 25;

    public VideoPredictionFixture()
    {
        Model = new TrainedModelFixture();
        Onnx = Path.Combine(Model.Root, "video-model.onnx");
        var export = CliRunner.Run("export", "--model", Model.Checkpoint, "--out", Onnx);
        if (export.ExitCode != 0) throw new InvalidOperationException(export.ToString());

        JpegFolder = Model.FirstVideoFolder;
        PngFolder = Path.Combine(Model.Root, "video-frames", "clip");
        Directory.CreateDirectory(PngFolder);
        var files = Directory.GetFiles(JpegFolder, "*.jpg").Order(StringComparer.Ordinal).ToList();
        for (int i = 0; i < files.Count; i++)
        {
            using var image = Image.Load<Rgb24>(files[i]);
            image.SaveAsPng(Path.Combine(PngFolder, $"{i + 1:00000}.png"));
        }
        FrameCount = files.Count;
        using (var first = Image.Load<Rgb24>(files[0])) FrameSize = first.Width;

        string videos = Path.Combine(Model.Root, "videos");
        Directory.CreateDirectory(videos);
        Lossless = FFmpegTestTool.EncodeFrames(PngFolder, Path.Combine(videos, "clip.avi"), "-c:v ffv1 -pix_fmt bgr0", Fps);
        NearLossless = FFmpegTestTool.EncodeFrames(PngFolder, Path.Combine(videos, "clip.mkv"), "-c:v libx264 -qp 0 -pix_fmt yuv444p", Fps);
        Lossy = FFmpegTestTool.EncodeFrames(PngFolder, Path.Combine(videos, "clip.mp4"), "-c:v libx264 -crf 18 -pix_fmt yuv420p", Fps);
        // The face crops placed at (PadX, PadY) in a larger black frame, losslessly: predicting with boxes must crop them back out.
        Padded = Path.Combine(videos, "padded.avi");
        FFmpegTestTool.Run($"-framerate {Fps} -i \"{Path.Combine(PngFolder, "%05d.png")}\" -vf pad={PaddedWidth}:{PaddedHeight}:{PadX}:{PadY}:black -c:v ffv1 -pix_fmt bgr0 \"{Padded}\"");
    }

    public const int PaddedWidth = 128;
    public const int PaddedHeight = 96;
    public const int PadX = 30;
    public const int PadY = 20;

    public TrainedModelFixture Model { get; }
    public string Onnx { get; }
    public string JpegFolder { get; }
    public string PngFolder { get; }
    public int FrameCount { get; }
    public int FrameSize { get; }
    public string Lossless { get; }
    public string NearLossless { get; }
    public string Lossy { get; }
    public string Padded { get; }

    public string NewDir() => Path.Combine(Model.Root, Guid.NewGuid().ToString("N"));

    public void Dispose() => Model.Dispose();
}
