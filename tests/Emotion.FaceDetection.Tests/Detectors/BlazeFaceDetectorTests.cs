using Emotion.FaceDetection.Tests.Support;
using Emotion.Preprocessing.Transforms;
using Emotion.Onnx;
using Emotion.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.FaceDetection.Tests.Detectors;

public sealed class BlazeFaceDetectorTests(DetectorFixture detectors) : IClassFixture<DetectorFixture>
{
    [Fact]
    public void FindsTheOneFaceInAstronaut()
    {
        using var image = Image.Load<Rgb24>(TestAssets.Path("astronaut.png"));
        var faces = detectors.BlazeFace.Detect(image);
        var face = Assert.Single(faces);
        Assert.True(face.Score > 0.8f, $"score {face.Score}");
        ExpectedFaces.AssertOnFace(ExpectedFaces.Astronaut, face.Box);
        AssertKeypointsOnFace(face);
    }

    [Fact]
    public void FindsTheOneFaceInGraceHopperThroughTheLetterbox()
    {
        // 512x600: letterboxed into the square input with padding left and right.
        using var image = Image.Load<Rgb24>(TestAssets.Path("grace_hopper.jpg"));
        Assert.NotEqual(image.Width, image.Height);
        var face = Assert.Single(detectors.BlazeFace.Detect(image));
        Assert.True(face.Score > 0.8f, $"score {face.Score}");
        ExpectedFaces.AssertOnFace(ExpectedFaces.GraceHopper, face.Box);
        AssertKeypointsOnFace(face);
    }

    [Theory]
    [InlineData(0, 0, 512, 300)]    // wide: padding above and below
    [InlineData(100, 0, 300, 512)]  // tall: padding left and right
    [InlineData(0, 50, 512, 400)]
    public void BoxesMapBackToTheOriginalPixelsForAnyAspectRatio(int x, int y, int w, int h)
    {
        using var image = Image.Load<Rgb24>(TestAssets.Path("astronaut.png"));
        var full = Assert.Single(detectors.BlazeFace.Detect(image)).Box;
        using var crop = image.Clone(c => c.Crop(new Rectangle(x, y, w, h)));
        var part = Assert.Single(detectors.BlazeFace.Detect(crop)).Box;
        // The longer side stays 512, so the model sees the face at the same scale, only padded differently: the box in
        // crop pixels plus the crop offset is the full image's box (up to resampling differences).
        float tolerance = 0.05f * full.Width;
        Assert.InRange(part.X + x, full.X - tolerance, full.X + tolerance);
        Assert.InRange(part.Y + y, full.Y - tolerance, full.Y + tolerance);
        Assert.InRange(part.Width, full.Width - tolerance, full.Width + tolerance);
        Assert.InRange(part.Height, full.Height - tolerance, full.Height + tolerance);
    }

    [Fact]
    public void SeparatesLfwFacesFromNonFaces()
    {
        // skimage's lfw_subset.npy: 200 grey 25x25 crops, float64 in [0, 1]; the first 100 are faces, the rest not.
        var lfw = NpyArray.Load(TestAssets.Path("lfw_subset.npy"));
        Assert.Equal([200, 25, 25], lfw.Shape);
        int facesFound = 0, nonFacesFound = 0;
        for (int i = 0; i < 200; i++)
        {
            using var canvas = LfwCanvas(lfw, i);
            if (detectors.BlazeFace.Detect(canvas).Count > 0)
            {
                if (i < 100) facesFound++;
                else nonFacesFound++;
            }
        }
        // Measured: 100 of 100 faces and 4 of 100 non-faces.
        Assert.True(facesFound >= 90, $"{facesFound} of 100 faces detected");
        Assert.True(nonFacesFound <= 10, $"{nonFacesFound} of 100 non-faces detected");
    }

    [Fact]
    public void FindsTwoFacesSideBySideAndHonoursMaxFaces()
    {
        // Two copies of the astronaut's head and shoulders (190x200 from x 130, y 30) side by side: 380x200.
        using var image = Image.Load<Rgb24>(TestAssets.Path("astronaut.png"));
        using var head = image.Clone(c => c.Crop(new Rectangle(130, 30, 190, 200)));
        using var pair = new Image<Rgb24>(380, 200);
        pair.Mutate(c => c.DrawImage(head, new Point(0, 0), 1f).DrawImage(head, new Point(190, 0), 1f));
        var faces = detectors.BlazeFace.Detect(pair);
        Assert.Equal(2, faces.Count);
        var left = faces.MinBy(f => f.Box.X)!;
        var right = faces.MaxBy(f => f.Box.X)!;
        var expected = ExpectedFaces.Astronaut with { X = ExpectedFaces.Astronaut.X - 130, Y = ExpectedFaces.Astronaut.Y - 30 };
        ExpectedFaces.AssertOnFace(expected, left.Box);
        ExpectedFaces.AssertOnFace(expected with { X = expected.X + 190 }, right.Box);
        Assert.True(faces[0].Score >= faces[1].Score);

        using var single = new BlazeFaceDetector(TestAssets.Path("blazeface_front_128.onnx"), new BlazeFaceOptions { MaxFaces = 1, IntraOpThreads = 1 });
        Assert.Equal(faces[0].Box, Assert.Single(single.Detect(pair)).Box);
        using var strict = new BlazeFaceDetector(TestAssets.Path("blazeface_front_128.onnx"), new BlazeFaceOptions { ScoreThreshold = 0.999f, IntraOpThreads = 1 });
        Assert.Empty(strict.Detect(pair));
    }

    [Fact]
    public void BlankAndTinyImagesHaveNoFace()
    {
        using var grey = new Image<Rgb24>(640, 480, new Rgb24(128, 128, 128));
        Assert.Empty(detectors.BlazeFace.Detect(grey));
        using var pixel = new Image<Rgb24>(1, 1);
        Assert.Empty(detectors.BlazeFace.Detect(pixel));
    }

    [Fact]
    public void ConcurrentCallsGiveTheSameFaces()
    {
        using var image = Image.Load<Rgb24>(TestAssets.Path("astronaut.png"));
        var expected = Assert.Single(detectors.BlazeFace.Detect(image));
        var results = new DetectedFace[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => results[i] = detectors.BlazeFace.Detect(image).Single());
        foreach (var r in results)
        {
            Assert.Equal(expected.Box, r.Box);
            Assert.Equal(expected.Score, r.Score);
        }
    }

    [Fact]
    public void WrongModelFilesGiveClearErrors()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => new BlazeFaceDetector("/nonexistent/blazeface.onnx"));
        Assert.Contains("/nonexistent/blazeface.onnx", missing.Message);

        using var temp = new TempFolder("emotion-blazeface-");
        string notOnnx = temp.Write("not-onnx.onnx", "this is not a model");
        var ex = Assert.Throws<InvalidOnnxModelException>(() => new BlazeFaceDetector(notOnnx));
        Assert.Contains(notOnnx, ex.Message);

        // The UltraFace model is valid ONNX but not BlazeFace: the message names both layouts.
        string ultra = TestAssets.Path("fr_detect.onnx");
        var layout = Assert.Throws<InvalidOnnxModelException>(() => new BlazeFaceDetector(ultra));
        Assert.Contains("BlazeFace layout", layout.Message);
        Assert.Contains("[1,3,240,320]", layout.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new BlazeFaceDetector(TestAssets.Path("blazeface_front_128.onnx"), new BlazeFaceOptions { ScoreThreshold = 2f }));
    }

    [Fact]
    public void DisposedDetectorRefusesWork()
    {
        var detector = new BlazeFaceDetector(TestAssets.Path("blazeface_front_128.onnx"), new BlazeFaceOptions { IntraOpThreads = 1 });
        Assert.Equal(896, detector.Anchors.Length);
        detector.Dispose();
        detector.Dispose();
        using var image = new Image<Rgb24>(8, 8);
        Assert.Throws<ObjectDisposedException>(() => detector.Detect(image));
    }

    // Right eye (subject's right, image left), left eye, nose tip, mouth centre: inside the box, eyes above nose above mouth.
    private static void AssertKeypointsOnFace(DetectedFace face)
    {
        Assert.Equal(6, face.Keypoints.Length);
        var b = face.Box;
        for (int k = 0; k < 4; k++)
        {
            Assert.InRange(face.Keypoints[k].X, b.X, b.X + b.Width);
            Assert.InRange(face.Keypoints[k].Y, b.Y, b.Y + b.Height);
        }
        PointF rightEye = face.Keypoints[0], leftEye = face.Keypoints[1], nose = face.Keypoints[2], mouth = face.Keypoints[3];
        Assert.True(rightEye.X < leftEye.X, "the subject's right eye is on the image's left");
        Assert.True(Math.Max(rightEye.Y, leftEye.Y) < nose.Y && nose.Y < mouth.Y, "eyes above nose above mouth");
    }

    // An LFW crop upscaled to 56x56 (bicubic) in the middle of a 192x192 mid-grey canvas: BlazeFace short-range expects
    // faces of about a quarter to a half of the image, not a 25-pixel crop filling it.
    internal static Image<Rgb24> LfwCanvas(NpyArray lfw, int index)
    {
        using var crop = new Image<Rgb24>(25, 25);
        crop.ProcessPixelRows(accessor =>
        {
            for (int y = 0; y < 25; y++)
            {
                var row = accessor.GetRowSpan(y);
                for (int x = 0; x < 25; x++)
                {
                    byte v = (byte)Math.Clamp(Math.Round(lfw.Values[index * 625 + y * 25 + x] * 255), 0, 255);
                    row[x] = new Rgb24(v, v, v);
                }
            }
        });
        crop.Mutate(c => c.Resize(56, 56, KnownResamplers.Bicubic));
        var canvas = new Image<Rgb24>(192, 192, new Rgb24(128, 128, 128));
        canvas.Mutate(c => c.DrawImage(crop, new Point(68, 68), 1f));
        return canvas;
    }
}
