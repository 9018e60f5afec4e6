using Emotion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Emotion.Video.Tests;

/// <summary>
/// Test videos made once per test run with ffmpeg from 30 synthetic 64x48 frames at 25 fps: pixel (x, y) of frame n is
/// (4x, 5y, 8n), so every frame is different and its number can be read back from its pixels.
/// </summary>
public sealed class TestVideos : IDisposable
{
    public const int FrameCount = 30;
    public const int Width = 64;
    public const int Height = 48;
    public const double Fps = 25;

    public TestVideos()
    {
        Root = temp.Path;
        Frames = Path.Combine(Root, "frames");
        Directory.CreateDirectory(Frames);
        for (int n = 1; n <= FrameCount; n++)
        {
            using var image = new Image<Rgb24>(Width, Height);
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Width; x++)
                    image[x, y] = Pixel(n, x, y);
            image.SaveAsPng(Path.Combine(Frames, $"{n:00000}.png"));
        }
        Lossless = FFmpegTestTool.EncodeFrames(Frames, Path.Combine(Root, "lossless.avi"), "-c:v ffv1 -pix_fmt bgr0", Fps);
        Mp4 = FFmpegTestTool.EncodeFrames(Frames, Path.Combine(Root, "h264.mp4"), "-c:v libx264 -qp 0 -pix_fmt yuv444p", Fps);
        Webm = FFmpegTestTool.EncodeFrames(Frames, Path.Combine(Root, "vp9.webm"), "-c:v libvpx-vp9 -lossless 1 -deadline realtime -cpu-used 8", Fps);
        Mkv = FFmpegTestTool.EncodeFrames(Frames, Path.Combine(Root, "ffv1.mkv"), "-c:v ffv1 -pix_fmt bgr0", Fps);
    }

    private readonly TempFolder temp = new("emotion-video-tests-");

    public string Root { get; }
    public string Frames { get; }
    public string Lossless { get; }
    public string Mp4 { get; }
    public string Webm { get; }
    public string Mkv { get; }

    /// <summary>A fresh folder under the root.</summary>
    public string NewFolder() => temp.Folder(Guid.NewGuid().ToString("N"));

    public static Rgb24 Pixel(int frame, int x, int y) => new((byte)(4 * x), (byte)(5 * y), (byte)(8 * frame));

    public void Dispose() => temp.Dispose();
}
