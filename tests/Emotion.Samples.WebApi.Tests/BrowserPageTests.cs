using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace Emotion.Samples.WebApi.Tests;

/// <summary>
/// The page at <c>/</c> in headless Chromium (Debian's <c>chromium</c>, driven by PuppeteerSharp over the DevTools protocol;
/// nothing is downloaded): upload a real photo, wait for the result, take a screenshot, and check that the boxes the page
/// drew are the boxes of the JSON, and that the screenshot shows each one's outline in its category's colour.
/// </summary>
public sealed class BrowserPageTests(ITestOutputHelper output)
{
    private static readonly string[] ChromiumCandidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

    [SkippableFact]
    [Trait("Category", "Slow")]
    public async Task ThePageBoxesEachFaceInItsCategoryColour()
    {
        var clock = Stopwatch.StartNew();
        string? configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        string? chromium = string.IsNullOrEmpty(configured) ? ChromiumCandidates.FirstOrDefault(File.Exists) : configured;
        Skip.If(chromium is null, "Chromium is not installed (apt-get install chromium, which ./build.sh setup does; or set CHROMIUM_PATH).");
        Skip.IfNot(File.Exists(chromium), $"CHROMIUM_PATH is '{chromium}', which does not exist.");

        IBrowser browser;
        try
        {
            browser = await Puppeteer.LaunchAsync(new LaunchOptions
            {
                ExecutablePath = chromium,
                Headless = true,
                Timeout = 60_000,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
            });
        }
        catch (Exception e) when (e is ProcessException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            throw new SkipException($"Chromium at {chromium} cannot run here: {e.Message}");
        }
        await using var _ = browser;

        await using var factory = new WebApiFactory();
        factory.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        string address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1200, Height = 1000, DeviceScaleFactor = 1 });
        await page.GoToAsync(address + "/", WaitUntilNavigation.Load);

        string photo = TestImages.Astronaut;
        var input = await page.QuerySelectorAsync("#file");
        await input.UploadFileAsync(photo);
        await page.WaitForSelectorAsync("body[data-state=done], body[data-state=error]", new WaitForSelectorOptions { Timeout = 60_000 });
        string status = await page.EvaluateExpressionAsync<string>("document.getElementById('status').textContent");
        Assert.True(await page.EvaluateExpressionAsync<string>("document.body.dataset.state") == "done", $"the page says: {status}");

        byte[] screenshot = await page.ScreenshotDataAsync(new ScreenshotOptions { Type = ScreenshotType.Png });
        string saved = Path.Combine(AppContext.BaseDirectory, "artifacts", "webapi-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(saved)!);
        await File.WriteAllBytesAsync(saved, screenshot);
        output.WriteLine($"screenshot: {saved}; page status: {status}");

        // The boxes the page drew are the boxes the service gives for the same photo (asked independently).
        using var client = new HttpClient { BaseAddress = new Uri(address) };
        var expected = await PredictEndpointTests.PredictAsync(client, photo, asForm: false);
        var drawn = JsonSerializer.Deserialize<DrawnBox[]>(
            await page.EvaluateExpressionAsync<string>("document.getElementById('canvas').dataset.boxes"), JsonSerializerOptions.Web)!;
        Assert.NotEmpty(expected.Faces);
        Assert.Equal(expected.Faces.Count, drawn.Length);
        for (int i = 0; i < drawn.Length; i++)
        {
            var face = expected.Faces[i];
            Assert.Equal(face.Box.X, drawn[i].X, 3);
            Assert.Equal(face.Box.Y, drawn[i].Y, 3);
            Assert.Equal(face.Box.Width, drawn[i].Width, 3);
            Assert.Equal(face.Box.Height, drawn[i].Height, 3);
            Assert.Equal(face.Color, drawn[i].Color);
            Assert.Equal(face.Category, drawn[i].Category);
        }

        // The screenshot shows each outline in its colour at the middle of every edge, and not inside the box (it is hollow).
        var rect = await page.EvaluateExpressionAsync<double[]>(
            "(() => { const r = document.getElementById('canvas').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()");
        double scale = rect[2] / expected.Image.Width;
        using var shot = Image.Load<Rgb24>(screenshot);
        foreach (var box in drawn)
        {
            var color = Rgb24FromHex(box.Color);
            (double X, double Y, string Edge)[] edges =
            [
                (box.X + box.Width / 2, box.Y, "top"), (box.X + box.Width / 2, box.Y + box.Height, "bottom"),
                (box.X, box.Y + box.Height / 2, "left"), (box.X + box.Width, box.Y + box.Height / 2, "right"),
            ];
            foreach (var (x, y, edge) in edges)
            {
                var pixel = shot[(int)Math.Round(rect[0] + x * scale), (int)Math.Round(rect[1] + y * scale)];
                Assert.True(Distance(pixel, color) <= 30, $"{edge} edge of the {box.Category} box: screenshot pixel {pixel}, expected {box.Color}");
            }
            var centre = shot[(int)Math.Round(rect[0] + (box.X + box.Width / 2) * scale), (int)Math.Round(rect[1] + (box.Y + box.Height / 2) * scale)];
            Assert.True(Distance(centre, color) > 60, $"the centre of the {box.Category} box is {centre}, the outline's colour {box.Color}");
        }

        // The face cards name each face's category and probability, and say that Grad-CAM is not available here and why.
        string faces = await page.EvaluateExpressionAsync<string>("document.getElementById('faces').textContent");
        foreach (var face in expected.Faces)
            Assert.Contains($"{face.Category} {100 * face.Confidence!.Value:0.0} %", faces);
        Assert.Contains("Grad-CAM overlay: not available", await page.EvaluateExpressionAsync<string>("document.getElementById('gradcam').textContent"));
        output.WriteLine($"browser test took {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static int Distance(Rgb24 a, Rgb24 b) => Math.Abs(a.R - b.R) + Math.Abs(a.G - b.G) + Math.Abs(a.B - b.B);

    private static Rgb24 Rgb24FromHex(string hex) =>
        new(Convert.ToByte(hex[1..3], 16), Convert.ToByte(hex[3..5], 16), Convert.ToByte(hex[5..7], 16));

    private sealed record DrawnBox(float X, float Y, float Width, float Height, string Color, string? Category);
}
