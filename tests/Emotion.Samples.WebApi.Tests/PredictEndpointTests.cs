using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Emotion.Core;
using Emotion.Core.Mapping;
using Emotion.FaceDetection;
using Emotion.Onnx;
using Emotion.Visualization.Coloring;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Emotion.Samples.WebApi.Tests;

/// <summary>
/// <c>GET /health</c> and <c>POST /predict</c> through the whole ASP.NET Core pipeline (WebApplicationFactory): real photos
/// give sane results that agree with the library run directly; every bad request gets 400 (413 for size) with a message
/// and the next good request still works.
/// </summary>
public sealed class PredictEndpointTests(WebApiFactory factory) : IClassFixture<WebApiFactory>
{
    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    [Fact]
    public async Task HealthRunsBothModelsAndDescribesTheServedOne()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var model = body.GetProperty("model");
        Assert.Equal(Path.GetFileName(WebApiFactory.ModelPath), model.GetProperty("model").GetString());
        Assert.Equal("64x64", model.GetProperty("inputSize").GetString());
        Assert.Equal(EmotionCategories.Basic.Select(c => c.ToString()), model.GetProperty("categories").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("estimated-from-categories", model.GetProperty("valenceArousal").GetString());
    }

    [Theory]
    [InlineData("grace_hopper.jpg", false)]
    [InlineData("astronaut.png", true)]
    public async Task ARealPhotoGivesOneFaceWithSaneNumbers(string photo, bool asForm)
    {
        string path = photo == "astronaut.png" ? TestImages.Astronaut : TestImages.GraceHopper;
        using var client = factory.CreateClient();
        var result = await PredictAsync(client, path, asForm);

        using var image = Image.Load<Rgb24>(path);
        Assert.Equal(image.Width, result.Image.Width);
        Assert.Equal(image.Height, result.Image.Height);
        var face = Assert.Single(result.Faces);
        var box = face.Box;
        Assert.True(box.X >= 0 && box.Y >= 0 && box.X + box.Width <= image.Width && box.Y + box.Height <= image.Height, $"box {box} outside {image.Width}x{image.Height}");
        Assert.InRange(box.Width, 0.1f * image.Width, image.Width);
        Assert.InRange(box.Height, 0.1f * image.Height, image.Height);
        Assert.InRange(face.Score, 0.5f, 1f);

        Assert.Equal(EmotionCategories.Basic.Select(c => c.ToString()), face.Probabilities.Select(p => p.Category));
        Assert.All(face.Probabilities, p => Assert.InRange(p.Probability, 0f, 1f));
        Assert.Equal(1.0, face.Probabilities.Sum(p => (double)p.Probability), 4);
        var best = face.Probabilities.MaxBy(p => p.Probability)!;
        Assert.Equal(best.Category, face.Category);
        Assert.Equal(best.Probability, face.Confidence);
        var color = CategoryPalette.Of(Enum.Parse<EmotionCategory>(face.Category!));
        Assert.Equal($"#{color.R:x2}{color.G:x2}{color.B:x2}", face.Color);

        // "estimated-from-categories": valence/arousal are the expected circumplex position of these very probabilities.
        Assert.Equal("estimated-from-categories", result.ValenceArousal);
        var expected = CircumplexReference.RussellMehrabian1977.Expectation(
            face.Probabilities.Select(p => p.Probability).ToArray(), EmotionCategories.Basic);
        Assert.Equal(expected.Valence, face.Valence!.Value, 4);
        Assert.Equal(expected.Arousal, face.Arousal!.Value, 4);
        Assert.False(result.GradCam.Available);
        Assert.Contains("TorchSharp", result.GradCam.Reason);
    }

    [Fact]
    public async Task TheServiceGivesWhatTheLibraryGivesForTheSamePhoto()
    {
        using var client = factory.CreateClient();
        var result = await PredictAsync(client, TestImages.GraceHopper, asForm: false);

        // The same pipeline by hand: BlazeFace, the box grown by the default margin 0.2, the ONNX model on the crop.
        using var image = Image.Load<Rgb24>(TestImages.GraceHopper);
        using var detector = FaceDetectors.Open(WebApiFactory.DetectorPath);
        using var predictor = new EmotionPredictor(WebApiFactory.ModelPath);
        var detected = Assert.Single(detector.Detect(image));
        var prediction = predictor.Predict(image, detected.Box.Expand(0.2f));
        var face = Assert.Single(result.Faces);
        Assert.Equal(detected.Box.X, face.Box.X, 3);
        Assert.Equal(detected.Box.Y, face.Box.Y, 3);
        Assert.Equal(detected.Box.Width, face.Box.Width, 3);
        Assert.Equal(detected.Box.Height, face.Box.Height, 3);
        for (int c = 0; c < EmotionCategories.Basic.Length; c++)
            Assert.Equal(prediction.Probabilities[c], face.Probabilities[c].Probability, 6);
    }

    [Fact]
    public async Task AllFacesOfAPhotoAreBatchedAndEqualThePerFacePredictions()
    {
        // Two heads side by side (the astronaut's, and the same mirrored and darkened): the service predicts both faces in
        // one batched call; each must equal the library's prediction of that face on its own.
        using var photo = Image.Load<Rgb24>(TestImages.Astronaut);
        using var head = photo.Clone(c => c.Crop(new Rectangle(130, 30, 190, 200)));
        using var other = head.Clone(c => c.Flip(FlipMode.Horizontal).Brightness(0.85f));
        using var pair = new Image<Rgb24>(380, 200);
        pair.Mutate(c => c.DrawImage(head, new Point(0, 0), 1f).DrawImage(other, new Point(190, 0), 1f));
        using var encoded = new MemoryStream();
        pair.SaveAsPng(encoded);
        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/predict", Bytes(encoded.ToArray(), "image/png"));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        var result = JsonSerializer.Deserialize<PredictResponse>(body, Json)!;

        using var detector = FaceDetectors.Open(WebApiFactory.DetectorPath);
        using var predictor = new EmotionPredictor(WebApiFactory.ModelPath);
        var detected = detector.Detect(pair);
        Assert.Equal(2, detected.Count);
        Assert.Equal(2, result.Faces.Count);
        for (int f = 0; f < 2; f++)
        {
            var single = predictor.Predict(pair, detected[f].Box.Expand(0.2f));
            var face = result.Faces[f];
            Assert.Equal(detected[f].Box.X, face.Box.X, 3);
            Assert.Equal(detected[f].Box.Width, face.Box.Width, 3);
            for (int c = 0; c < EmotionCategories.Basic.Length; c++)
                Assert.Equal(single.Probabilities[c], face.Probabilities[c].Probability, 1e-5);
            Assert.Equal(single.Valence!.Value, face.Valence!.Value, 1e-5);
            Assert.Equal(single.Arousal!.Value, face.Arousal!.Value, 1e-5);
        }
        // Two different faces: the test compares two distinct predictions, not one twice.
        Assert.NotEqual(result.Faces[0].Probabilities[0].Probability, result.Faces[1].Probabilities[0].Probability);
    }

    [Fact]
    public async Task ConcurrentRequestsAllSucceedWithIdenticalResults()
    {
        using var client = factory.CreateClient();
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PredictAsync(client, TestImages.GraceHopper, asForm: false)));
        var first = results[0].Faces.Single();
        foreach (var result in results)
        {
            var face = Assert.Single(result.Faces);
            Assert.Equal(first.Box, face.Box);
            Assert.Equal(first.Probabilities.Select(p => p.Probability), face.Probabilities.Select(p => p.Probability));
        }
    }

    public static TheoryData<string> BadRequests => new(BadRequestCases.Keys);

    private static readonly Dictionary<string, (Func<HttpContent> Content, string Message)> BadRequestCases = new()
    {
        ["not an image"] = (() => Bytes("hello, this is text"u8.ToArray(), "image/jpeg"), "is not an image in a format this server reads"),
        ["empty body"] = (() => Bytes([], "image/png"), "The request body is empty"),
        ["100-megapixel image"] = (() => Bytes(TestImages.BlackPng(10_000, 10_000), "image/png"), "10000 x 10000 pixels (100.0 megapixels)"),
        ["wrong content type"] = (() => Bytes(File.ReadAllBytes(TestImages.GraceHopper), "text/plain"), "The Content-Type 'text/plain' is not an image type"),
        ["no content type"] = (() => Bytes(File.ReadAllBytes(TestImages.GraceHopper), null), "The request has no Content-Type"),
        ["truncated JPEG"] = (() => Bytes(File.ReadAllBytes(TestImages.GraceHopper)[..30_000], "image/jpeg"), "truncated"),
        ["GIF"] = (() => Bytes(Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"), "image/gif"), "GIF images are not accepted"),
        ["form without a file"] = (() => new MultipartFormDataContent { { new StringContent("x"), "comment" } }, "The form has no file"),
        ["form with an empty file"] = (() => Form([], "empty.jpg"), "is empty (0 bytes)"),
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ABadRequestGets400WithAMessageAndTheServerStaysUp(string name)
    {
        var (content, message) = BadRequestCases[name];
        using var client = factory.CreateClient();
        using var response = await client.PostAsync("/predict", content());
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{name}: {(int)response.StatusCode} {body}");
        var error = JsonSerializer.Deserialize<ErrorResponse>(body, Json)!;
        Assert.Contains(message, error.Error);

        var next = await PredictAsync(client, TestImages.GraceHopper, asForm: false);
        Assert.Single(next.Faces);
    }

    [Fact]
    public async Task ABodyOverTheSizeLimitGets413WhetherOrNotItsLengthIsDeclared()
    {
        // grace_hopper.jpg is 61 kB; a 40 kB limit refuses it, a 128 x 150 re-encoding of it passes.
        await using var small = new WebApiFactory(new Dictionary<string, string> { ["WebApi:MaxRequestBytes"] = "40000" });
        using var client = small.CreateClient();
        byte[] photo = File.ReadAllBytes(TestImages.GraceHopper);

        using var declared = await client.PostAsync("/predict", Bytes(photo, "image/jpeg"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("WebApi:MaxRequestBytes", (await declared.Content.ReadFromJsonAsync<ErrorResponse>(Json))!.Error);

        var chunked = new StreamContent(new UnknownLengthStream(photo));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        using var undeclared = await client.PostAsync("/predict", chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, undeclared.StatusCode);

        using var form = await client.PostAsync("/predict", Form(photo, "photo.jpg"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, form.StatusCode);

        using var image = Image.Load<Rgb24>(photo);
        image.Mutate(x => x.Resize(128, 150));
        using var encoded = new MemoryStream();
        image.SaveAsJpeg(encoded);
        Assert.True(encoded.Length < 40000);
        using var ok = await client.PostAsync("/predict", Bytes(encoded.ToArray(), "image/jpeg"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Theory]
    [InlineData("EmotionRecognition:Video:Margin", "-0.5", "EmotionRecognition:Video:Margin: Margin must be between 0 and 2; got -0.5.")]
    [InlineData("EmotionRecognition:BlazeFace:MaxFaces", "0", "EmotionRecognition:BlazeFace:MaxFaces: Expected at least one face per image.")]
    [InlineData("EmotionRecognition:Predictor:MaxFramesPerRun", "0", "EmotionRecognition:Predictor:MaxFramesPerRun: MaxFramesPerRun is 0; expected at least 1.")]
    public async Task ABadEmotionRecognitionSettingStopsTheAppAtStartNamingItsKey(string key, string value, string expected)
    {
        await using var bad = new WebApiFactory(new Dictionary<string, string> { [key] = value });
        var e = Assert.ThrowsAny<Exception>(() => bad.CreateClient());
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void TheWebAppDoesNotDependOnTorchSharp()
    {
        // The app's dependency manifest, copied next to the tests by Microsoft.AspNetCore.Mvc.Testing.
        string deps = Path.Combine(AppContext.BaseDirectory, "Emotion.Samples.WebApi.deps.json");
        Assert.True(File.Exists(deps), deps);
        string text = File.ReadAllText(deps);
        Assert.Contains("Microsoft.ML.OnnxRuntime", text);
        Assert.DoesNotContain("TorchSharp", text);
        Assert.DoesNotContain("Emotion.Torch", text);
    }

    internal static async Task<PredictResponse> PredictAsync(HttpClient client, string path, bool asForm)
    {
        byte[] bytes = await File.ReadAllBytesAsync(path);
        string type = path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? "image/png" : "image/jpeg";
        using var response = await client.PostAsync("/predict", asForm ? Form(bytes, Path.GetFileName(path)) : Bytes(bytes, type));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonSerializer.Deserialize<PredictResponse>(body, Json)!;
    }

    private static ByteArrayContent Bytes(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null) content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    private static MultipartFormDataContent Form(byte[] bytes, string fileName)
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        return new MultipartFormDataContent { { file, "image", fileName } };
    }

    /// <summary>A stream that hides its length, so the client sends it chunked, without Content-Length.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
