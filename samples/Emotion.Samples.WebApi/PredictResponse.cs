namespace Emotion.Samples.WebApi;

/// <summary>The JSON body of a successful <c>POST /predict</c>.</summary>
/// <param name="Image">The uploaded image's size and format.</param>
/// <param name="Faces">Every face found, most confident first (empty when none).</param>
/// <param name="ValenceArousal">How valence/arousal were produced: <c>regressed</c> (a trained output), <c>estimated-from-categories</c>
/// (the expected circumplex position of the category probabilities, no valence/arousal training), or <c>none</c> (the model gives none).</param>
/// <param name="GradCam">Whether a Grad-CAM overlay comes with the result, and why not.</param>
/// <param name="ElapsedMs">Server time for decoding, detection and prediction, in milliseconds.</param>
public sealed record PredictResponse(ImageInfo Image, IReadOnlyList<FaceResult> Faces, string ValenceArousal, GradCamInfo GradCam, double ElapsedMs);

/// <summary>The uploaded image.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="Format">The decoded format (JPEG, PNG, BMP).</param>
public sealed record ImageInfo(int Width, int Height, string Format);

/// <summary>One face.</summary>
/// <param name="Box">The detector's face box in the image's pixels, clipped to the image.</param>
/// <param name="Score">The detector's confidence in [0, 1].</param>
/// <param name="Category">The most probable category, or null for a valence/arousal-only model.</param>
/// <param name="Confidence">The probability of <paramref name="Category"/>.</param>
/// <param name="Color">The category's colour as <c>#rrggbb</c> (Emotion.Visualization's palette, as in every plot).</param>
/// <param name="Probabilities">Every category of the model with its probability (they sum to 1), in the model's category order.</param>
/// <param name="Valence">Valence in [-1, 1], or null when the model gives none.</param>
/// <param name="Arousal">Arousal in [-1, 1], or null when the model gives none.</param>
public sealed record FaceResult(Box Box, float Score, string? Category, float? Confidence, string Color,
    IReadOnlyList<CategoryProbability> Probabilities, float? Valence, float? Arousal);

/// <summary>A box in image pixels.</summary>
/// <param name="X">Left edge.</param>
/// <param name="Y">Top edge.</param>
/// <param name="Width">Width.</param>
/// <param name="Height">Height.</param>
public sealed record Box(float X, float Y, float Width, float Height);

/// <summary>One category's probability.</summary>
/// <param name="Category">The category's name.</param>
/// <param name="Probability">Its softmax probability.</param>
public sealed record CategoryProbability(string Category, float Probability);

/// <summary>Whether Grad-CAM is available.</summary>
/// <param name="Available">Always false for this ONNX-only service.</param>
/// <param name="Reason">Why not, and where Grad-CAM is available.</param>
public sealed record GradCamInfo(bool Available, string Reason);

/// <summary>The JSON body of every error response.</summary>
/// <param name="Error">What was wrong with the request and what is expected.</param>
public sealed record ErrorResponse(string Error);
